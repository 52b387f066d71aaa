package io.datacake.benchmarks.aeron;

import io.datacake.transport.aeron.AeronDriver;
import org.agrona.CloseHelper;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The trial state of the Aeron benchmarks: the media and message length every side of a comparison shares, a media
 * driver launched for the trial, and the two communicating sides a subclass creates on it.
 *
 * @param <T> the sides under test, closed before the driver.
 */
@State(Scope.Benchmark)
public abstract class AeronPairState<T extends AutoCloseable>
{
    /** {@code ipc} or {@code udp} (loopback). */
    @Param({ "ipc", "udp" })
    public String media;

    /** Bytes per message (fits one fragment, so the ping-pongs use tryClaim both ways). */
    @Param({ "32", "1024" })
    public int messageLength;

    AeronDriver driver;
    T pair;
    private Thread driverCloser;

    /**
     * Create the sides under test on the launched driver.
     *
     * @return the sides.
     */
    abstract T create();

    /**
     * Launch the driver and create the sides.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        driver = BenchMedia.launchDriver();
        // JMH skips the tear-down of a failed trial: still delete the driver directory when the fork exits.
        driverCloser = new Thread(driver::close, "aeron-driver-closer");
        Runtime.getRuntime().addShutdownHook(driverCloser);
        pair = create();
    }

    /**
     * Close the sides, then the driver, deleting its directory.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        try
        {
            CloseHelper.close(pair);
        }
        finally
        {
            driver.close();
            Runtime.getRuntime().removeShutdownHook(driverCloser);
        }
    }
}
