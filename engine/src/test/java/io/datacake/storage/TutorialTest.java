package io.datacake.storage;

import io.datacake.clock.HybridLogicalClock;
import io.datacake.crdt.Orswot;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An executable walk through the storage SPI, using the in-memory storage. The same code runs against LMDB and
 * SQLite (see their modules' tutorials); only the line that opens the storage changes.
 */
class TutorialTest
{
    @Test
    void walkThroughTheStorageSpi()
    {
        // 1. Every write carries an HLC timestamp: a packed stamp plus the writing node's id.
        final int nodeId = 7;
        final HybridLogicalClock clock = new HybridLogicalClock(nodeId, new org.agrona.concurrent.SystemEpochClock());

        try (Storage storage = new MemoryStorage())
        {
            // 2. Writes are collected in one reusable batch and committed at once (group commit); on a node a
            //    StorageWriter does this off the node thread (step 9). Values are copied into the batch, so the
            //    source buffer can be reused right away.
            final WriteBatch batch = storage.newWriteBatch();
            final UnsafeBuffer value = new UnsafeBuffer(new byte[64]);
            final int length = value.putStringWithoutLengthUtf8(0, "hello, storage");
            final long helloStamp = clock.send();
            batch.put("greetings", 1, helloStamp, nodeId, value, 0, length);
            batch.put("greetings", 2, clock.send(), nodeId, value, 0, 5);
            batch.tombstone("greetings", 3, clock.send(), nodeId); // deleting an unknown key leaves a marker
            storage.commit(batch);
            assertThat(batch.isEmpty()).isTrue(); // cleared, ready for the next duty cycle

            // 3. Reads happen in a scope. Values arrive as views (for LMDB: of the mmap'd page), valid only
            //    inside the scope; a DocumentView is a reusable holder for one document.
            final DocumentView view = new DocumentView();
            try (ReadTransaction txn = storage.beginRead())
            {
                assertThat(txn.get("greetings", 1, view)).isTrue();
                assertThat(view.stamp()).isEqualTo(helloStamp);
                assertThat(view.value().getStringWithoutLengthUtf8(0, view.valueLength())).isEqualTo("hello, storage");
                assertThat(txn.get("greetings", 3, view)).isFalse(); // tombstones never read as documents
            }

            // 4. Last write wins by timestamp, whatever order writes arrive in (replication reorders them).
            final long older = helloStamp - 1;
            storage.put("greetings", 1, older, nodeId, "stale".getBytes(StandardCharsets.UTF_8));
            assertThat(storage.get("greetings", 1).stamp()).isEqualTo(helloStamp);

            // 5. Metadata (live entries and tombstones with their timestamps) is what anti-entropy and the ORSWOT
            //    are built from. At node start, rebuild the keyspace's set from it.
            assertThat(storage.metadata("greetings")).hasSize(3);
            try (Orswot set = new KeyspaceStateLoader().load(storage, "greetings"))
            {
                assertThat(set.liveCount()).isEqualTo(2);
                assertThat(set.tombstoneCount()).isEqualTo(1);
            }

            // 6. Tombstones are purged once the cluster has seen past them.
            storage.removeTombstones("greetings", 3);
            assertThat(storage.metadata("greetings")).hasSize(2);

            // 7. Bad input fails fast with a specific exception, before anything is written.
            assertThatThrownBy(() -> batch.put("", 1, clock.send(), nodeId, value, 0, 1))
                .isInstanceOf(InvalidKeyspaceNameException.class);
            assertThatThrownBy(() -> batch.put("greetings", 1, clock.send(), nodeId,
                new UnsafeBuffer(new byte[storage.maxValueLength() + 1]), 0, storage.maxValueLength() + 1))
                .isInstanceOf(ValueTooLargeException.class);

            // 8. Keyspaces exist once written to; reading an unknown one is simply empty.
            assertThat(storage.keyspaces()).isEqualTo(List.of("greetings"));
            assertThat(storage.metadata("nobody-wrote-here")).isEmpty();

            // 9. On a node, commits run off the node thread: the node submits to a StorageWriter (never blocking:
            //    a sequence number back, or BACK_PRESSURED), the writer commits everything submitted so far in one
            //    transaction, and the outcome comes back to a per-write handler on the node thread. Register it
            //    with NodeContext.addComponent(new StorageWriterComponent(ctx)); here it is stepped by hand, as a
            //    simulation would.
            final List<String> acks = new ArrayList<>();
            final WriteCompletionHandler handler = new WriteCompletionHandler()
            {
                public void onWriteCommitted(final long sequence)
                {
                    acks.add("committed " + sequence);
                }

                public void onWriteFailed(final long sequence, final Throwable cause)
                {
                    acks.add("failed " + sequence);
                }
            };
            try (StorageWriter writer = StorageWriter.launch(
                new StorageWriterContext().storage(storage).useAgentInvoker(true)))
            {
                final long first = writer.submitPut("greetings", 4, clock.send(), nodeId, value, 0, length, handler);
                final long second = writer.submitTombstone("greetings", 2, clock.send(), nodeId, handler);
                writer.invoker().invoke();          // the writer's turn: one commit for both writes
                writer.drainCompletions(16);        // the node's turn: the handlers hear the outcome, in order
                assertThat(acks).containsExactly("committed " + first, "committed " + second);
                assertThat(storage.get("greetings", 4)).isNotNull(); // reads stay on the caller's thread
            }
        }
    }
}
