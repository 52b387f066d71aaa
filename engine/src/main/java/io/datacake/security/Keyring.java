package io.datacake.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * The secret keys a cluster's nodes share: one primary key that every frame is sent under, and any number of keys
 * accepted on receive, each named by a key id carried in the frame. A keyring is an immutable value: the update
 * methods return a new keyring, which a running node takes through its command queue.
 * <p>
 * Rotation without downtime takes three steps, each applied to every node before the next starts:
 * <ol>
 *     <li>{@link #withKey(int, byte[])}: install the new key everywhere; frames are still sent under the old one;</li>
 *     <li>{@link #withPrimary(int)}: make the new key primary; nodes not updated yet still accept it;</li>
 *     <li>{@link #withoutKey(int)}: remove the old key once no node sends under it.</li>
 * </ol>
 * <p>
 * Text format ({@link #fromFile(Path)}, {@link #fromEnvironment(String)}, {@link #parse(String)}): one entry per line
 * (or separated by {@code ;}), blank lines and lines starting with {@code #} ignored, whitespace around names and
 * values ignored:
 * <pre>
 * # datacake keyring
 * primary = 2
 * key.1 = 3q2+7wAAAAAAAAAAAAAAAA==
 * key.2 = n2Y5e7kQ0Yv8Cq7mE1hZ6g9rX4pT2wL5sB3dF8aK1cU=
 * </pre>
 * {@code key.<id>} gives a key: id {@value #MIN_KEY_ID}..{@value #MAX_KEY_ID}, the secret in standard Base64, 16, 24
 * or 32 bytes (AES-128, AES-192, AES-256; 32 recommended). {@code primary} names the key frames are sent under; it
 * must be one of the keys. The same text in one environment variable:
 * {@code DATACAKE_KEYRING="primary=2;key.1=...;key.2=..."}.
 */
public final class Keyring
{
    /** Smallest key id. */
    public static final int MIN_KEY_ID = 1;
    /** Largest key id: key ids are 16 bits on the wire. */
    public static final int MAX_KEY_ID = 0xFFFF;
    /** Bound on the keys one keyring holds: enough for any rotation, small enough to look up per frame. */
    public static final int MAX_KEYS = 16;

    private static final String PRIMARY = "primary";
    private static final String KEY_PREFIX = "key.";

    private final int primaryKeyId;
    private final TreeMap<Integer, byte[]> secrets;

    private Keyring(final int primaryKeyId, final TreeMap<Integer, byte[]> secrets)
    {
        this.primaryKeyId = primaryKeyId;
        this.secrets = secrets;
    }

    /**
     * A keyring of one key, which is primary.
     *
     * @param keyId  the key id, {@value #MIN_KEY_ID}..{@value #MAX_KEY_ID}.
     * @param secret 16, 24 or 32 secret bytes, copied.
     * @return the keyring.
     * @throws IllegalArgumentException if the id is out of range or the secret has another length.
     */
    public static Keyring of(final int keyId, final byte[] secret)
    {
        final TreeMap<Integer, byte[]> secrets = new TreeMap<>();
        secrets.put(checkKeyId(keyId), checkSecret(keyId, secret));
        return new Keyring(keyId, secrets);
    }

    /**
     * Read a keyring file (format in the class description). Keep the file readable by the node's user only.
     *
     * @param file the file.
     * @return the keyring.
     * @throws UncheckedIOException     if the file cannot be read.
     * @throws IllegalArgumentException if the text is not a valid keyring; the message names the line.
     */
    public static Keyring fromFile(final Path file)
    {
        try
        {
            return parse(Files.readString(file, StandardCharsets.UTF_8), "keyring file " + file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read keyring file " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Read a keyring from an environment variable (format in the class description, entries separated by
     * {@code ;}).
     *
     * @param variable the variable's name, e.g. {@code DATACAKE_KEYRING}.
     * @return the keyring.
     * @throws IllegalArgumentException if the variable is not set or not a valid keyring.
     */
    public static Keyring fromEnvironment(final String variable)
    {
        final String text = System.getenv(variable);
        if (null == text || text.isBlank())
        {
            throw new IllegalArgumentException("environment variable " + variable + " is not set: set it to a keyring " +
                "such as \"primary=1;key.1=<Base64 of 32 random bytes>\"");
        }
        return parse(text, "environment variable " + variable);
    }

    /**
     * Parse keyring text (format in the class description).
     *
     * @param text the text.
     * @return the keyring.
     * @throws IllegalArgumentException if the text is not a valid keyring; the message names the line.
     */
    public static Keyring parse(final String text)
    {
        return parse(text, "keyring");
    }

    private static Keyring parse(final String text, final String source)
    {
        final TreeMap<Integer, byte[]> secrets = new TreeMap<>();
        int primary = -1;
        final String[] lines = text.split("[\\r\\n;]");
        for (int i = 0; i < lines.length; i++)
        {
            final String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final String where = source + " entry " + (i + 1);
            final int equals = line.indexOf('=');
            if (equals < 0)
            {
                throw new IllegalArgumentException(where + ": expected name = value, e.g. key.1 = <Base64 secret>");
            }
            final String name = line.substring(0, equals).strip();
            final String value = line.substring(equals + 1).strip();
            if (PRIMARY.equals(name))
            {
                primary = parseKeyId(value, where);
            }
            else if (name.startsWith(KEY_PREFIX))
            {
                final int keyId = parseKeyId(name.substring(KEY_PREFIX.length()), where);
                final byte[] secret;
                try
                {
                    secret = Base64.getDecoder().decode(value);
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new IllegalArgumentException(where + ": key." + keyId + " is not Base64: " + ex.getMessage());
                }
                if (null != secrets.put(keyId, checkSecret(keyId, secret)))
                {
                    throw new IllegalArgumentException(where + ": key." + keyId + " is given twice");
                }
            }
            else
            {
                throw new IllegalArgumentException(where + ": unknown name '" + name + "' (expected primary or key.<id>)");
            }
        }
        if (secrets.isEmpty())
        {
            throw new IllegalArgumentException(source + " holds no key: add key.<id> = <Base64 secret>");
        }
        if (primary < 0)
        {
            throw new IllegalArgumentException(source + " names no primary key: add primary = <id>");
        }
        if (!secrets.containsKey(primary))
        {
            throw new IllegalArgumentException(source + ": primary key " + primary + " is not one of the keys " +
                secrets.keySet());
        }
        checkKeyCount(secrets.size());
        return new Keyring(primary, secrets);
    }

    /**
     * This keyring with one more key accepted on receive (rotation step 1).
     *
     * @param keyId  the new key's id.
     * @param secret 16, 24 or 32 secret bytes, copied.
     * @return the new keyring.
     * @throws IllegalArgumentException if the id is out of range or taken, the secret has another length, or the
     *                                  keyring would hold more than {@value #MAX_KEYS} keys.
     */
    public Keyring withKey(final int keyId, final byte[] secret)
    {
        if (secrets.containsKey(checkKeyId(keyId)))
        {
            throw new IllegalArgumentException("key id " + keyId + " is already in the keyring: remove it first " +
                "or pick another id");
        }
        checkKeyCount(secrets.size() + 1);
        final TreeMap<Integer, byte[]> copy = new TreeMap<>(secrets);
        copy.put(keyId, checkSecret(keyId, secret));
        return new Keyring(primaryKeyId, copy);
    }

    /**
     * This keyring sending under another of its keys (rotation step 2).
     *
     * @param keyId the key to send under.
     * @return the new keyring.
     * @throws IllegalArgumentException if the keyring does not hold the key.
     */
    public Keyring withPrimary(final int keyId)
    {
        if (!secrets.containsKey(keyId))
        {
            throw new IllegalArgumentException("key id " + keyId + " is not in the keyring " + secrets.keySet() +
                ": add it with withKey first");
        }
        return new Keyring(keyId, secrets);
    }

    /**
     * This keyring without a key: frames under it are no longer accepted (rotation step 3).
     *
     * @param keyId the key to remove.
     * @return the new keyring.
     * @throws IllegalArgumentException if the key is the primary key or not in the keyring.
     */
    public Keyring withoutKey(final int keyId)
    {
        if (keyId == primaryKeyId)
        {
            throw new IllegalArgumentException("key id " + keyId + " is the primary key: make another key primary " +
                "first");
        }
        if (!secrets.containsKey(keyId))
        {
            throw new IllegalArgumentException("key id " + keyId + " is not in the keyring " + secrets.keySet());
        }
        final TreeMap<Integer, byte[]> copy = new TreeMap<>(secrets);
        copy.remove(keyId);
        return new Keyring(primaryKeyId, copy);
    }

    /**
     * The key frames are sent under.
     *
     * @return the primary key id.
     */
    public int primaryKeyId()
    {
        return primaryKeyId;
    }

    /**
     * Whether frames under a key are accepted.
     *
     * @param keyId a key id.
     * @return true if the keyring holds it.
     */
    public boolean hasKey(final int keyId)
    {
        return secrets.containsKey(keyId);
    }

    /**
     * The ids of the keys, ascending.
     *
     * @return a new array.
     */
    public int[] keyIds()
    {
        return secrets.keySet().stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The keyring in the text format, secrets included: for writing a keyring file. Never log it.
     *
     * @return the text.
     */
    public String toText()
    {
        final StringBuilder text = new StringBuilder().append(PRIMARY).append(" = ").append(primaryKeyId).append('\n');
        for (final Map.Entry<Integer, byte[]> entry : secrets.entrySet())
        {
            text.append(KEY_PREFIX).append(entry.getKey()).append(" = ")
                .append(Base64.getEncoder().encodeToString(entry.getValue())).append('\n');
        }
        return text.toString();
    }

    /**
     * Key ids only: secrets never appear in logs.
     *
     * @return a description.
     */
    public String toString()
    {
        return "Keyring{primary=" + primaryKeyId + ", keys=" + secrets.keySet() + '}';
    }

    byte[] secret(final int keyId)
    {
        return secrets.get(keyId);
    }

    private static int parseKeyId(final String text, final String where)
    {
        try
        {
            final int keyId = Integer.parseInt(text);
            if (keyId < MIN_KEY_ID || keyId > MAX_KEY_ID)
            {
                throw new IllegalArgumentException(
                    where + ": key id must be " + MIN_KEY_ID + ".." + MAX_KEY_ID + ": " + keyId);
            }
            return keyId;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(where + ": key id is not a number: '" + text + "'");
        }
    }

    private static int checkKeyId(final int keyId)
    {
        if (keyId < MIN_KEY_ID || keyId > MAX_KEY_ID)
        {
            throw new IllegalArgumentException("key id must be " + MIN_KEY_ID + ".." + MAX_KEY_ID + ": " + keyId);
        }
        return keyId;
    }

    private static byte[] checkSecret(final int keyId, final byte[] secret)
    {
        if (null == secret || (secret.length != 16 && secret.length != 24 && secret.length != 32))
        {
            throw new IllegalArgumentException("key " + keyId + " must be 16, 24 or 32 bytes (32 recommended): " +
                (null == secret ? "null" : secret.length + " bytes"));
        }
        return Arrays.copyOf(secret, secret.length);
    }

    private static void checkKeyCount(final int count)
    {
        if (count > MAX_KEYS)
        {
            throw new IllegalArgumentException("a keyring holds at most " + MAX_KEYS + " keys: remove retired keys");
        }
    }
}
