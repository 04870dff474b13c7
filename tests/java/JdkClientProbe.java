import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Calls the mock the way lib-platform-oidc does: a default java.net.http.HttpClient, which asks
 * for HTTP/2 and so sends "Connection: Upgrade, HTTP2-Settings" and "Upgrade: h2c" on http://.
 * Prints "<status> <protocol>" for a discovery GET and for a token POST, then "<status> <path>"
 * for a POST to a doubled-slash path (what `-url http://host/api/` gives), after redirects.
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
    }
}
