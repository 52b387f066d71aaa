package io.datacake.kv;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bounded request pool: once every request thread is busy and the queue is full, a further request is answered
 * at once with 503 and {@code Retry-After} (and counted), while the others are served when the threads free up.
 */
final class KvHttpServerTest
{
    private static final long DEADLINE_S = 60;

    @Test
    void aRequestBeyondTheThreadsAndTheQueueIsShedWith503AndRetryAfter() throws Exception
    {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final HttpCounters counters = new HttpCounters();
        final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(DEADLINE_S)).build();
        try (KvHttpServer server = KvHttpServer.start(new HostPort("127.0.0.1", 0), 1, 1, null, (exchange) ->
        {
            entered.countDown();
            try
            {
                release.await(DEADLINE_S, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            HttpReply.ok().send(exchange);
            exchange.close();
        }, counters))
        {
            final URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + "/any/1");
            final CompletableFuture<HttpResponse<String>> first = send(client, uri);
            assertThat(entered.await(DEADLINE_S, TimeUnit.SECONDS)).as("the first request runs").isTrue();

            // Of two more, one waits in the queue (it cannot finish before the release) and the other finds the
            // queue full and is answered at once.
            final CompletableFuture<HttpResponse<String>> second = send(client, uri);
            final CompletableFuture<HttpResponse<String>> third = send(client, uri);
            final HttpResponse<?> shed = (HttpResponse<?>)CompletableFuture.anyOf(second, third)
                .get(DEADLINE_S, TimeUnit.SECONDS);
            final CompletableFuture<HttpResponse<String>> queued = second.isDone() && second.join() == shed ?
                third : second;
            assertThat(queued).as("the queued request waits for the thread").isNotDone();
            release.countDown();

            assertThat(shed.statusCode()).isEqualTo(503);
            assertThat(shed.headers().firstValue("Retry-After")).hasValue(String.valueOf(KvApi.RETRY_AFTER_S));
            assertThat((String)shed.body()).contains("busy");
            assertThat(queued.get(DEADLINE_S, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(first.get(DEADLINE_S, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(PrometheusText.render(1, counters.reader()))
                .contains("datacake_http_responses_503_busy_retry_later{node_id=\"1\"} 1\n");
        }
    }

    private static CompletableFuture<HttpResponse<String>> send(final HttpClient client, final URI uri)
    {
        return client.sendAsync(request(uri), BodyHandlers.ofString());
    }

    private static HttpRequest request(final URI uri)
    {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(DEADLINE_S)).GET().build();
    }
}
