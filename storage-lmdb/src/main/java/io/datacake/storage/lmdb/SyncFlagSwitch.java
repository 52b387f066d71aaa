package io.datacake.storage.lmdb;

import org.lmdbjava.Env;

import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Switches LMDB's flush flags ({@code MDB_NOMETASYNC}, {@code MDB_NOSYNC}) of an open environment around one write
 * transaction, through {@code mdb_env_set_flags}, which LMDB allows at any time. lmdbjava does not publish that call,
 * so it is reached by reflection once, when the storage opens; if that fails (another lmdbjava version) the switch is
 * unavailable and every commit keeps the environment's configured durability, which is the stronger promise.
 * Used by the committing thread only: LMDB reads these flags when a write transaction commits, and no reader uses
 * them.
 */
final class SyncFlagSwitch
{
    private static final System.Logger LOGGER = System.getLogger(SyncFlagSwitch.class.getName());
    private static final int MDB_NOSYNC = 0x10000;
    private static final int MDB_NOMETASYNC = 0x40000;

    private final Object library;
    private final Method setFlags;
    private final Object environment;

    private SyncFlagSwitch(final Object library, final Method setFlags, final Object environment)
    {
        this.library = library;
        this.setFlags = setFlags;
        this.environment = environment;
    }

    /**
     * @param env the open environment.
     * @return the switch, or null if this lmdbjava does not let it reach {@code mdb_env_set_flags}.
     */
    static SyncFlagSwitch of(final Env<?> env)
    {
        try
        {
            final Field libraryField = Class.forName("org.lmdbjava.Library").getDeclaredField("LIB");
            libraryField.setAccessible(true);
            final Object library = libraryField.get(null);
            final Class<?> lmdb = Class.forName("org.lmdbjava.Library$Lmdb");
            final Method pointer = Env.class.getDeclaredMethod("pointer");
            pointer.setAccessible(true);
            final Object environment = pointer.invoke(env);
            final Method setFlags = lmdb.getMethod("mdb_env_set_flags", pointer.getReturnType(), int.class, int.class);
            setFlags.setAccessible(true);
            return new SyncFlagSwitch(library, setFlags, environment);
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            LOGGER.log(System.Logger.Level.INFO, "LMDB flush flags cannot be switched per commit with this " +
                "lmdbjava; refetchable batches commit with the configured durability", ex);
            return null;
        }
    }

    /**
     * The flag that relaxes a commit from {@code configured} to {@code relaxed}.
     *
     * @return the LMDB flag to switch on, 0 if {@code relaxed} is not weaker than {@code configured}.
     */
    static int relaxingFlag(final LmdbDurability configured, final LmdbDurability relaxed)
    {
        if (relaxed.ordinal() <= configured.ordinal())
        {
            return 0;
        }
        return LmdbDurability.NO_SYNC == relaxed ? MDB_NOSYNC : MDB_NOMETASYNC;
    }

    /**
     * Switch a flag on or off.
     *
     * @param flag an LMDB flush flag.
     * @param on   true to set it, false to clear it.
     * @throws IllegalStateException if LMDB refused.
     */
    void set(final int flag, final boolean on)
    {
        final Object result;
        try
        {
            result = setFlags.invoke(library, environment, flag, on ? 1 : 0);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException("mdb_env_set_flags failed", ex);
        }
        if (!Integer.valueOf(0).equals(result))
        {
            throw new IllegalStateException("mdb_env_set_flags(" + flag + ", " + on + ") returned " + result);
        }
    }
}
