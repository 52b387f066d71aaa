package io.datacake.kv;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node in a child JVM ({@link NodeProcess#main} on this module's test class path, with the JVM flags Agrona
 * needs), its merged output read line by line so a test can wait for the ready line. {@link #close()} kills it.
 * A launcher prefix (such as {@code ip netns exec NAME}) runs the JVM through another command.
 */
final class KvChildProcess implements AutoCloseable
{
    static final List<String> JVM_FLAGS = List.of(
        "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED", "-Xmx128m",
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private static final Pattern HTTP_PORT = Pattern.compile("http [^,]*:(\\d+),");

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final Thread reader;

    KvChildProcess(final List<String> settings, final Path workingDir) throws IOException
    {
        this(List.of(), settings, workingDir);
    }

    /**
     * @param launcher   command words put before the {@code java} command, empty to run it directly.
     * @param settings   the node's {@code key=value} settings.
     * @param workingDir the process's working directory.
     */
    KvChildProcess(final List<String> launcher, final List<String> settings, final Path workingDir)
        throws IOException
    {
        final List<String> command = new ArrayList<>(launcher);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_FLAGS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(NodeProcess.class.getName());
        command.addAll(settings);
        process = new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true).start();
        reader = new Thread(() ->
        {
            try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = in.readLine()))
                {
                    lines.add(line);
                }
            }
            catch (final IOException ignore)
            {
                // The process went away: the lines read so far are what it said.
            }
        }, "kv-child-output");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Wait for the ready line.
     *
     * @param deadlineNs {@link System#nanoTime()} by which it must have come.
     * @return the HTTP port the node listens on.
     * @throws AssertionError with the output so far if it did not come.
     */
    int awaitReady(final long deadlineNs) throws InterruptedException
    {
        while (System.nanoTime() - deadlineNs < 0)
        {
            final String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (null != line)
            {
                seen.add(line);
                if (line.startsWith(NodeProcess.READY))
                {
                    final Matcher matcher = HTTP_PORT.matcher(line);
                    if (matcher.find())
                    {
                        return Integer.parseInt(matcher.group(1));
                    }
                }
            }
            else if (!process.isAlive() && !reader.isAlive() && lines.isEmpty())
            {
                break;
            }
        }
        throw new AssertionError("no ready line from the node; output: " + output());
    }

    Process process()
    {
        return process;
    }

    List<String> output()
    {
        lines.drainTo(seen);
        return seen;
    }

    /**
     * Kill the process (SIGKILL) and wait for it, bounded.
     */
    public void close() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
