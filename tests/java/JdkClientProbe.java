import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Calls the mock the way lib-platform-oidc does: a default java.net.http.HttpClient, which asks
 * for HTTP/2 and so sends "Connection: Upgrade, HTTP2-Settings" and "Upgrade: h2c" on http://.
 * Prints "<status> <protocol>" for a discovery GET and for a token POST, then "<status> <path>"
 * for a POST to a doubled-slash path (what `-url http://host/api/` gives), after redirects.
 * Then a whole login (authorize with login_hint, code + PKCE exchange, /user-info) prints
 * "login <authorize status> <token status> <user-info status> <userName>". Over https the JDK's
 * trust store decides: `-Djavax.net.ssl.trustStore=...` as Nextflow gets it through NXF_OPTS.
 */
public class JdkClientProbe {
    public static void main(String[] args) throws Exception {
        String issuer = args[0];
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        HttpRequest discovery = HttpRequest.newBuilder(URI.create(issuer + "/.well-known/openid-configuration"))
                .timeout(Duration.ofSeconds(10)).GET().build();
        HttpResponse<String> found = client.send(discovery, HttpResponse.BodyHandlers.ofString());
        System.out.println(found.statusCode() + " " + found.version());
        HttpRequest token = HttpRequest.newBuilder(URI.create(issuer + "/oauth/token"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "grant_type=authorization_code&client_id=nextflow_cli&code=nope"
                        + "&code_verifier=" + "v".repeat(43) + "&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcallback"))
                .build();
        HttpResponse<String> refused = client.send(token, HttpResponse.BodyHandlers.ofString());
        System.out.println(refused.statusCode() + " " + refused.version());
        System.out.println(refused.body());
        HttpRequest doubled = HttpRequest.newBuilder(URI.create(issuer + "//oauth/access_token"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=refresh_token&refresh_token=nope"))
                .build();
        HttpResponse<String> followed = client.send(doubled, HttpResponse.BodyHandlers.ofString());
        System.out.println(followed.statusCode() + " " + followed.uri().getPath());
        login(issuer);
    }

    static void login(String issuer) throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)  // the redirect goes to a callback nobody serves
                .build();
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        String redirectUri = "http://127.0.0.1:53682/callback";
        String query = "client_id=nextflow_cli&response_type=code&scope=" + encode("openid profile email offline_access")
                + "&redirect_uri=" + encode(redirectUri) + "&state=jdk-probe&code_challenge=" + challenge
                + "&code_challenge_method=S256&login_hint=alice";
        HttpResponse<String> authorized = client.send(
                HttpRequest.newBuilder(URI.create(issuer + "/oauth/authorize?" + query))
                        .timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        String location = authorized.headers().firstValue("Location").orElse("");
        HttpResponse<String> tokens = client.send(
                HttpRequest.newBuilder(URI.create(issuer + "/oauth/token"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "grant_type=authorization_code&client_id=nextflow_cli&code="
                                + find("[?&]code=([^&]+)", location) + "&code_verifier=" + verifier
                                + "&redirect_uri=" + encode(redirectUri)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> userInfo = client.send(
                HttpRequest.newBuilder(URI.create(issuer + "/user-info"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer " + find("\"access_token\":\\s*\"([^\"]+)\"", tokens.body()))
                        .GET().build(),
                HttpResponse.BodyHandlers.ofString());
        System.out.println("login " + authorized.statusCode() + " " + tokens.statusCode() + " "
                + userInfo.statusCode() + " " + find("\"userName\":\\s*\"([^\"]+)\"", userInfo.body()));
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static String find(String pattern, String text) {
        Matcher matcher = Pattern.compile(pattern).matcher(text);
        return matcher.find() ? matcher.group(1) : "";
    }
}
