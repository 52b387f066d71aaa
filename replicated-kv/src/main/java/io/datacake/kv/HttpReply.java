package io.datacake.kv;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP response: status, content type, body and the optional {@code Retry-After}, {@code Allow} and
 * {@code WWW-Authenticate} (every 401) headers.
 */
final class HttpReply
{
    static final String TEXT = "text/plain; charset=utf-8";
    static final String JSON = "application/json";
    static final String OCTETS = "application/octet-stream";
    static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

    /** No {@code Retry-After} header. */
    static final int NO_RETRY_AFTER = -1;

    private final int status;
    private final String contentType;
    private final byte[] body;
    private final int retryAfterS;
    private final String allow;

    private HttpReply(final int status, final String contentType, final byte[] body, final int retryAfterS,
        final String allow)
    {
        this.status = status;
        this.contentType = contentType;
        this.body = body;
        this.retryAfterS = retryAfterS;
        this.allow = allow;
    }

    static HttpReply ok()
    {
        return new HttpReply(200, null, null, NO_RETRY_AFTER, null);
    }

    static HttpReply body(final String contentType, final byte[] body)
    {
        return new HttpReply(200, contentType, body, NO_RETRY_AFTER, null);
    }

    static HttpReply text(final int status, final String message)
    {
        return new HttpReply(status, TEXT, (message + "\n").getBytes(StandardCharsets.UTF_8), NO_RETRY_AFTER, null);
    }

    static HttpReply json(final int status, final String json, final int retryAfterS)
    {
        return new HttpReply(status, JSON, json.getBytes(StandardCharsets.UTF_8), retryAfterS, null);
    }

    static HttpReply retryLater(final String message, final int retryAfterS)
    {
        return new HttpReply(503, TEXT, (message + "\n").getBytes(StandardCharsets.UTF_8), retryAfterS, null);
    }

    static HttpReply unauthorized()
    {
        return text(401, "missing or wrong bearer token: send 'Authorization: Bearer <token>' with the token this " +
            "node was given");
    }

    static HttpReply methodNotAllowed(final String method, final String path, final String allow)
    {
        return new HttpReply(405, TEXT, ("method " + method + " is not allowed on " + path + "; allowed: " + allow +
            "\n").getBytes(StandardCharsets.UTF_8), NO_RETRY_AFTER, allow);
    }

    int status()
    {
        return status;
    }

    String contentType()
    {
        return contentType;
    }

    byte[] body()
    {
        return body;
    }

    int retryAfterS()
    {
        return retryAfterS;
    }

    String allow()
    {
        return allow;
    }

    String bodyText()
    {
        return null == body ? "" : new String(body, StandardCharsets.UTF_8);
    }

    /**
     * Send this reply on the exchange (headers, then the body if any); the caller closes the exchange.
     */
    void send(final HttpExchange exchange) throws IOException
    {
        if (null != contentType)
        {
            exchange.getResponseHeaders().set("Content-Type", contentType);
        }
        if (NO_RETRY_AFTER != retryAfterS)
        {
            exchange.getResponseHeaders().set("Retry-After", Integer.toString(retryAfterS));
        }
        if (null != allow)
        {
            exchange.getResponseHeaders().set("Allow", allow);
        }
        if (401 == status)
        {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"datacake-kv\"");
        }
        final boolean head = "HEAD".equals(exchange.getRequestMethod());
        if (null == body || 0 == body.length || head)
        {
            exchange.sendResponseHeaders(status, -1);
        }
        else
        {
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(body);
            }
        }
    }
}
