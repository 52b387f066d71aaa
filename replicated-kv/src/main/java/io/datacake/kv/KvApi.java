package io.datacake.kv;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.datacake.membership.ConsistencyException;
import io.datacake.membership.ConsistencyLevel;
import io.datacake.membership.MembershipComponent;
import io.datacake.node.NodeBackPressureException;
import io.datacake.node.NodeClosedException;
import io.datacake.security.Keyring;
import io.datacake.storage.Document;
import io.datacake.storage.KeyspaceNames;
import io.datacake.storage.ValueTooLargeException;
import io.datacake.store.ReplicationException;
import io.datacake.store.StoreBackPressureException;
import io.datacake.store.StoreHandle;
import org.agrona.concurrent.status.CountersReader;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The HTTP API of a {@link ReplicatedKvNode}, on an HTTP server thread (never the node thread):
 * <ul>
 *   <li>{@code PUT} or {@code POST /{keyspace}/{key}[?consistency=LEVEL]}: store the body; 200 once the level is
 *       met.</li>
 *   <li>{@code GET /{keyspace}/{key}}: 200 with the value ({@code application/octet-stream}), or 404.</li>
 *   <li>{@code DELETE /{keyspace}/{key}[?consistency=LEVEL]}: 200 once the level is met.</li>
 *   <li>{@code GET /cluster}: this node and its members as JSON (see {@link ClusterJson}).</li>
 *   <li>{@code GET /metrics}: the node's counters and this API's responses by outcome ({@link HttpCounters}) in
 *       Prometheus text format (see {@link PrometheusText}).</li>
 *   <li>{@code POST /admin/keyring/reload}: read the keyring file (or variable) again and install it, one step of a
 *       key rotation; 200 with {@code {"primary":P,"keys":[...]}} (key ids only), 409 for a node without a keyring,
 *       500 if the keyring cannot be read or installed (the node keeps the one it has).</li>
 * </ul>
 * A key is an unsigned 64-bit decimal; a keyspace 1 to 255 bytes of UTF-8 (percent-encoded in the path as needed).
 * LEVEL is one of none, one, two, three, quorum, local_quorum, each_quorum, all (default one). A bad key, keyspace,
 * level or query is 400, an unsupported method 405 (with {@code Allow}), a body over the store's value limit 413
 * (read no further than one byte past the limit), an unknown path 404 (the JDK server itself answers 404 for a
 * path starting with {@code //}, which it parses as an authority). A write the cluster cannot acknowledge is 503
 * with {@code {"error":...,"required":R,"acknowledged":A}}: for too few live members (nothing was written) R is the
 * number of other live members the level needs and A the number alive; for a replica that failed or timed out (the
 * write may have landed on some, repair carries it on) R and A count replicas, the local commit included. A node
 * too busy to take a write is 503 with {@code Retry-After}. Nothing but a valid write changes stored data. With a
 * bearer token configured, {@link KvHttpServer} answers 401 to a request without it before this API sees it.
 */
final class KvApi implements HttpHandler
{
    /** Bytes of an oversize request body read and dropped so its 413 reply is not lost to a connection reset. */
    static final long MAX_DISCARDED_BODY_BYTES = 16L * 1024 * 1024;

    /** Seconds a client is asked to wait after a back-pressured write. */
    static final int RETRY_AFTER_S = 1;

    /** Extra time a request thread waits for a write's outcome beyond the store's own request timeout. */
    static final long OUTCOME_MARGIN_MS = 5_000;

    static final String CONSISTENCY_PARAM = "consistency";
    static final ConsistencyLevel DEFAULT_LEVEL = ConsistencyLevel.ONE;

    private static final System.Logger LOGGER = System.getLogger(KvApi.class.getName());
    private static final String KV_METHODS = "GET, PUT, POST, DELETE";
    private static final String READ_METHODS = "GET";
    private static final String RELOAD_PATH = "/admin/keyring/reload";

    private final StoreHandle store;
    private final MembershipComponent membership;
    private final CountersReader counters;
    private final HttpCounters httpCounters;
    private final int nodeId;
    private final String address;
    private final int maxValueBytes;
    private final long outcomeTimeoutMs;
    private final KeyringReload keyringReload;

    /**
     * @param store          the store's handle.
     * @param membership     the membership component (its member snapshot is read from any thread).
     * @param counters       the node's counters.
     * @param httpCounters   this API's own counters, shown by /metrics after the node's.
     * @param address        this node's cluster address, {@code HOST:PORT}.
     * @param maxValueBytes  the store's largest value.
     * @param requestTimeoutMs the store's per-replica request timeout.
     * @param keyringReload  reloads the node's keyring.
     */
    KvApi(final StoreHandle store, final MembershipComponent membership, final CountersReader counters,
        final HttpCounters httpCounters, final String address, final int maxValueBytes, final long requestTimeoutMs,
        final KeyringReload keyringReload)
    {
        this.keyringReload = keyringReload;
        this.store = store;
        this.membership = membership;
        this.counters = counters;
        this.httpCounters = httpCounters;
        this.nodeId = store.nodeId();
        this.address = address;
        this.maxValueBytes = maxValueBytes;
        this.outcomeTimeoutMs = requestTimeoutMs + OUTCOME_MARGIN_MS;
    }

    /**
     * Answer one request; never throws (a failure is logged and answered with 500 where the exchange still can).
     */
    public void handle(final HttpExchange exchange)
    {
        try
        {
            HttpReply reply;
            try
            {
                reply = route(exchange);
            }
            catch (final RuntimeException ex)
            {
                LOGGER.log(Level.WARNING, "request failed: " + exchange.getRequestMethod() + " " +
                    exchange.getRequestURI(), ex);
                reply = HttpReply.text(500, "internal error: " + ex);
            }
            httpCounters.record(reply);
            reply.send(exchange);
        }
        catch (final IOException ex)
        {
            LOGGER.log(Level.DEBUG, "could not answer " + exchange.getRequestURI(), ex);
        }
        finally
        {
            exchange.close();
        }
    }

    private HttpReply route(final HttpExchange exchange) throws IOException
    {
        final String method = exchange.getRequestMethod();
        final URI uri = exchange.getRequestURI();
        final String rawPath = null == uri.getRawPath() ? "" : uri.getRawPath();
        if ("/cluster".equals(rawPath) || "/metrics".equals(rawPath))
        {
            if (!"GET".equals(method))
            {
                return HttpReply.methodNotAllowed(method, rawPath, READ_METHODS);
            }
            return "/cluster".equals(rawPath) ?
                HttpReply.body(HttpReply.JSON, ClusterJson.render(
                    nodeId, membership.localDataCentre(), address, membership.members())
                    .getBytes(StandardCharsets.UTF_8)) :
                HttpReply.body(HttpReply.PROMETHEUS,
                    PrometheusText.render(nodeId, counters, httpCounters.reader()).getBytes(StandardCharsets.UTF_8));
        }

        if (RELOAD_PATH.equals(rawPath))
        {
            return "POST".equals(method) ? reloadKeyring() : HttpReply.methodNotAllowed(method, rawPath, "POST");
        }

        final int slash = rawPath.indexOf('/', 1);
        if (!rawPath.startsWith("/") || slash < 0 || rawPath.indexOf('/', slash + 1) >= 0)
        {
            return HttpReply.text(404, "no such resource: " + rawPath + "; the API is /{keyspace}/{key}, " +
                "/cluster and /metrics");
        }
        final boolean write = "PUT".equals(method) || "POST".equals(method);
        if (!write && !"GET".equals(method) && !"DELETE".equals(method))
        {
            return HttpReply.methodNotAllowed(method, "/{keyspace}/{key}", KV_METHODS);
        }

        final String keyspace;
        try
        {
            keyspace = decodeSegment(rawPath.substring(1, slash));
            KeyspaceNames.validate(keyspace);
        }
        catch (final IllegalArgumentException ex)
        {
            return HttpReply.text(400, "invalid keyspace: " + ex.getMessage());
        }
        final String keyText = rawPath.substring(slash + 1);
        final long key;
        try
        {
            key = parseKey(keyText);
        }
        catch (final IllegalArgumentException ex)
        {
            return HttpReply.text(400, ex.getMessage());
        }

        if ("GET".equals(method))
        {
            final Document document = store.get(keyspace, key);
            return null == document ?
                HttpReply.text(404, "no value for key " + Long.toUnsignedString(key) + " in keyspace '" +
                    keyspace + "'") :
                HttpReply.body(HttpReply.OCTETS, document.value());
        }

        final ConsistencyLevel level;
        try
        {
            level = consistency(uri.getRawQuery());
        }
        catch (final IllegalArgumentException ex)
        {
            return HttpReply.text(400, ex.getMessage());
        }

        if (!write)
        {
            return awaitWrite(() -> store.delete(keyspace, key, level));
        }
        final byte[] value = readBody(exchange);
        if (null == value)
        {
            return HttpReply.text(413, "value too large: the limit is " + maxValueBytes + " bytes");
        }
        return awaitWrite(() -> store.put(keyspace, key, value, level));
    }

    /**
     * A percent-encoded path segment as the UTF-8 text it encodes ({@code +} stays a plus).
     *
     * @throws IllegalArgumentException for a broken escape or bytes that are not UTF-8.
     */
    static String decodeSegment(final String raw)
    {
        if (raw.indexOf('%') < 0)
        {
            return raw;
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++)
        {
            final char c = raw.charAt(i);
            if ('%' == c)
            {
                final int high = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                final int low = high < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
                if (low < 0)
                {
                    throw new IllegalArgumentException("broken percent escape at index " + i);
                }
                bytes.write((high << 4) | low);
                i += 2;
            }
            else
            {
                final byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            }
        }
        try
        {
            return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes.toByteArray()))
                .toString();
        }
        catch (final CharacterCodingException ex)
        {
            throw new IllegalArgumentException("the percent-encoded name is not UTF-8");
        }
    }

    /**
     * An unsigned 64-bit decimal, 0 to 18446744073709551615, digits only.
     *
     * @throws IllegalArgumentException saying what is wrong.
     */
    private HttpReply reloadKeyring()
    {
        if (!keyringReload.enabled())
        {
            return HttpReply.text(409, "this node runs without a keyring: start it with --keyring-file or " +
                "--keyring-env to secure and rotate keys");
        }
        try
        {
            final Keyring keyring = keyringReload.reload();
            final StringBuilder json = new StringBuilder().append("{\"primary\":").append(keyring.primaryKeyId())
                .append(",\"keys\":[");
            final int[] keyIds = keyring.keyIds();
            for (int i = 0; i < keyIds.length; i++)
            {
                json.append(0 == i ? "" : ",").append(keyIds[i]);
            }
            return HttpReply.json(200, json.append("]}").toString(), HttpReply.NO_RETRY_AFTER);
        }
        catch (final IllegalArgumentException | IllegalStateException ex)
        {
            LOGGER.log(Level.WARNING, "keyring reload failed, the node keeps its keyring: " + ex.getMessage());
            return HttpReply.text(500, "keyring reload failed, the node keeps its keyring: " + ex.getMessage());
        }
    }

    static long parseKey(final String text)
    {
        boolean digits = !text.isEmpty() && text.length() <= 20;
        for (int i = 0; digits && i < text.length(); i++)
        {
            final char c = text.charAt(i);
            digits = c >= '0' && c <= '9';
        }
        if (digits)
        {
            try
            {
                return Long.parseUnsignedLong(text);
            }
            catch (final NumberFormatException ignore)
            {
                // Over 2^64 - 1: answered below.
            }
        }
        final String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        throw new IllegalArgumentException("invalid key '" + shown + "': a key is an unsigned 64-bit decimal, " +
            "0 to 18446744073709551615");
    }

    /**
     * The level of {@code consistency=LEVEL}, the default when absent.
     *
     * @throws IllegalArgumentException for another parameter, a repeated one or an unknown level.
     */
    static ConsistencyLevel consistency(final String rawQuery)
    {
        if (null == rawQuery || rawQuery.isEmpty())
        {
            return DEFAULT_LEVEL;
        }
        ConsistencyLevel level = null;
        for (final String pair : rawQuery.split("&", -1))
        {
            final int equals = pair.indexOf('=');
            final String name = equals < 0 ? pair : pair.substring(0, equals);
            if (!CONSISTENCY_PARAM.equals(name))
            {
                throw new IllegalArgumentException("unknown query parameter '" + name + "': the only one is " +
                    CONSISTENCY_PARAM + "=none|one|two|three|quorum|local_quorum|each_quorum|all");
            }
            if (null != level)
            {
                throw new IllegalArgumentException("consistency is given more than once");
            }
            final String value = equals < 0 ? "" : pair.substring(equals + 1);
            level = parseLevel(value);
        }
        return level;
    }

    private static ConsistencyLevel parseLevel(final String value)
    {
        for (final ConsistencyLevel level : ConsistencyLevel.values())
        {
            if (level.name().toLowerCase(Locale.ROOT).equals(value))
            {
                return level;
            }
        }
        throw new IllegalArgumentException("unknown consistency '" + value + "': expected one of none, one, two, " +
            "three, quorum, local_quorum, each_quorum, all");
    }

    /**
     * The body, or null when it is longer than the value limit; at most limit + 1 bytes are kept. The rest of a body
     * over the limit is read and discarded, up to {@link #MAX_DISCARDED_BODY_BYTES}: a server that closes a
     * connection with request bytes still unread makes TCP reset it, and the client then loses the 413 reply.
     */
    private byte[] readBody(final HttpExchange exchange) throws IOException
    {
        final String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        try (InputStream in = exchange.getRequestBody())
        {
            if (null != declared)
            {
                try
                {
                    final long length = Long.parseLong(declared.trim());
                    if (length > maxValueBytes)
                    {
                        if (length - maxValueBytes <= MAX_DISCARDED_BODY_BYTES)
                        {
                            discard(in, length);
                        }
                        return null;
                    }
                }
                catch (final NumberFormatException ignore)
                {
                    // The server already refuses a malformed length; read with the bound below.
                }
            }
            final byte[] value = in.readNBytes(maxValueBytes + 1);
            if (value.length > maxValueBytes)
            {
                discard(in, MAX_DISCARDED_BODY_BYTES);
                return null;
            }
            return value;
        }
    }

    private static void discard(final InputStream in, final long maxBytes) throws IOException
    {
        final byte[] sink = new byte[8192];
        long remaining = maxBytes;
        int read;
        while (remaining > 0 && (read = in.read(sink, 0, (int)Math.min(sink.length, remaining))) > 0)
        {
            remaining -= read;
        }
    }

    private HttpReply awaitWrite(final WriteCall call)
    {
        try
        {
            call.submit().get(outcomeTimeoutMs, TimeUnit.MILLISECONDS);
            return HttpReply.ok();
        }
        catch (final ExecutionException ex)
        {
            return replyFor(ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            return HttpReply.text(504, "the write had no outcome within " + outcomeTimeoutMs + " ms; it may " +
                "still be applied");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return HttpReply.retryLater("the node is shutting down", RETRY_AFTER_S);
        }
        catch (final RuntimeException ex)
        {
            return replyFor(ex);
        }
    }

    /**
     * The reply for a write that failed (thrown by the submit or failing its future).
     */
    static HttpReply replyFor(final Throwable failure)
    {
        if (failure instanceof ConsistencyException ex)
        {
            return HttpReply.json(503, notMet(ex.getMessage(), ex.required(), ex.alive()), HttpReply.NO_RETRY_AFTER);
        }
        if (failure instanceof ReplicationException ex)
        {
            return HttpReply.json(503, notMet(ex.getMessage(), ex.required(), ex.acknowledged()),
                HttpReply.NO_RETRY_AFTER);
        }
        if (failure instanceof StoreBackPressureException || failure instanceof NodeBackPressureException)
        {
            return HttpReply.retryLater("the node is busy: " + failure.getMessage(), RETRY_AFTER_S);
        }
        if (failure instanceof NodeClosedException)
        {
            return HttpReply.retryLater("the node is shutting down: " + failure.getMessage(), RETRY_AFTER_S);
        }
        if (failure instanceof ValueTooLargeException)
        {
            return HttpReply.text(413, failure.getMessage());
        }
        if (failure instanceof IllegalArgumentException)
        {
            return HttpReply.text(400, failure.getMessage());
        }
        LOGGER.log(Level.WARNING, "write failed", failure);
        return HttpReply.text(500, "write failed: " + failure);
    }

    private static String notMet(final String message, final int required, final int acknowledged)
    {
        final StringBuilder sb = new StringBuilder(message.length() + 64).append("{\"error\":");
        Json.quote(sb, message);
        return sb.append(",\"required\":").append(required).append(",\"acknowledged\":").append(acknowledged)
            .append('}').toString();
    }

    @FunctionalInterface
    private interface WriteCall
    {
        CompletableFuture<Void> submit();
    }
}
