package io.datacake.storage;

import io.datacake.node.Component;
import io.datacake.node.NodeServices;

/**
 * A {@link StorageWriter} as a node {@link Component}: launched when the node starts, its completions handed to
 * their handlers on every turn of the node's duty cycle (at most {@link StorageWriterContext#completionLimit()} per
 * turn), closed with the node (which commits and acks what is still in flight, see {@link StorageWriter#close()}).
 * In stepped mode ({@link StorageWriterContext#useAgentInvoker(boolean)}) each turn of the node also steps one commit
 * window before draining, so a node stepped by a simulation drives its writer deterministically; a simulation may
 * also step {@link StorageWriter#invoker()} itself to interleave commits differently.
 * <p>
 * A store gets the writer from {@link #writer()} once the node has started, on the node thread.
 */
public final class StorageWriterComponent implements Component
{
    private final StorageWriterContext ctx;
    private StorageWriter writer;

    /**
     * @param ctx the writer's configuration; launched (and concluded) when the node starts.
     */
    public StorageWriterComponent(final StorageWriterContext ctx)
    {
        this.ctx = ctx;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onStart(final NodeServices services)
    {
        writer = StorageWriter.launch(ctx);
    }

    /**
     * Step the writer (stepped mode) or commit inline what it allows, and hand finished writes to their handlers.
     *
     * @param monotonicMs the node's monotonic time (unused: commits are not timed here).
     * @return work done: commit windows taken, writes committed inline, plus handler calls made.
     */
    @Override
    public int doWork(final long monotonicMs)
    {
        int work = 0;
        if (null != writer.invoker())
        {
            work += writer.invoker().invoke();
        }
        work += writer.commitInline();
        return work + writer.drainCompletions(ctx.completionLimit());
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void onClose()
    {
        if (null != writer)
        {
            writer.close();
        }
    }

    /**
     * The writer, for submits and reads, on the node thread.
     *
     * @return the writer, or null before the node started.
     */
    public StorageWriter writer()
    {
        return writer;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "StorageWriterComponent{" + writer + "}";
    }
}
