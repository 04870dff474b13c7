import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback PKCE login on the JDK's HttpServer with lib-platform-oidc 0.1.0's bug (contract §4.1):
 * the callback handler completes the code future before it writes the page, and the login stops the
 * server right after the token exchange, so the browser gets no page. lib-platform-oidc loses that
 * race in most runs; here the handler writes only once the server has stopped, so it loses every
 * time and a test can rely on it.
 *
 * Usage: java JdkLoginClient ISSUER. Opens the sign-in URL with $BROWSER when set (as xdg-open
 * does), else prints it.
 */
public class JdkLoginClient {
    public static void main(String[] args) throws Exception {
        String issuer = args[0].replaceAll("/$", "");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        String discovery = http.send(
                HttpRequest.newBuilder(URI.create(issuer + "/.well-known/openid-configuration")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        String verifier = random(32);
        String state = random(16);
        String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));

        CompletableFuture<String> code = new CompletableFuture<>();
        CountDownLatch stopped = new CountDownLatch(1);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task);
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/callback", exchange -> {
            Map<String, String> params = query(exchange.getRequestURI().getRawQuery());
            if (params.containsKey("error")) {
                code.completeExceptionally(new IOException("Authentication error: " + params.get("error")));
            } else if (!state.equals(params.get("state"))) {
                code.completeExceptionally(new IOException("state mismatch"));
            } else {
                code.complete(params.get("code"));
            }
            try {
                stopped.await(10, TimeUnit.SECONDS);
                byte[] page = "<html><body><h2>Login successful! You can close this tab.</h2></body></html>"
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/html; charset=UTF-8");
                exchange.sendResponseHeaders(200, page.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(page);
                }
            } catch (IOException | InterruptedException e) {
                // the server is gone: the browser never gets its page
            }
        });
        server.start();
        String redirect = "http://127.0.0.1:" + server.getAddress().getPort() + "/callback";
        String url = field(discovery, "authorization_endpoint")
                + "?client_id=nextflow_cli&response_type=code&scope=openid+profile+email+offline_access"
                + "&redirect_uri=" + URLEncoder.encode(redirect, StandardCharsets.UTF_8)
                + "&state=" + state + "&code_challenge=" + challenge + "&code_challenge_method=S256";
        open(url);
        int status = 0;
        try {
            String received = code.get(120, TimeUnit.SECONDS);
            String form = "grant_type=authorization_code&client_id=nextflow_cli"
                    + "&code=" + URLEncoder.encode(received, StandardCharsets.UTF_8)
                    + "&code_verifier=" + verifier
                    + "&redirect_uri=" + URLEncoder.encode(redirect, StandardCharsets.UTF_8);
            HttpResponse<String> tokens = http.send(
                    HttpRequest.newBuilder(URI.create(field(discovery, "token_endpoint")))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (tokens.statusCode() != 200) {
                throw new IOException("Token exchange failed (HTTP " + tokens.statusCode() + ")");
            }
            System.out.println("Login successful");
        } catch (Exception e) {
            System.err.println("Error: " + e.getMessage());
            status = 1;
        } finally {
            server.stop(0);
            stopped.countDown();
        }
        System.exit(status);
    }

    static void open(String url) throws IOException, InterruptedException {
        String browser = System.getenv("BROWSER");
        if (browser == null || browser.isEmpty()) {
            System.out.println("Authentication URL: " + url);
            return;
        }
        new ProcessBuilder(browser, url).inheritIO().start().waitFor();
        System.out.println("Opened a browser to sign in.");
    }

    static String random(int bytes) {
        byte[] data = new byte[bytes];
        new SecureRandom().nextBytes(data);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(data);
    }

    static String field(String json, String name) {
        Matcher match = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        if (!match.find()) {
            throw new IllegalArgumentException("discovery has no " + name);
        }
        return match.group(1);
    }

    static Map<String, String> query(String raw) {
        Map<String, String> params = new HashMap<>();
        if (raw == null) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                params.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return params;
    }
}
