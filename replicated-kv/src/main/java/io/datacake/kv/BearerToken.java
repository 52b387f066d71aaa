package io.datacake.kv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * The bearer token the HTTP API requires in {@code Authorization: Bearer <token>} when one is configured. The
 * comparison takes the same time wherever the given token first differs, so it reveals nothing of the token.
 */
final class BearerToken
{
    /** Shortest accepted token, in characters: short tokens can be guessed. */
    static final int MIN_LENGTH = 16;

    /** Longest accepted token, in characters. */
    static final int MAX_LENGTH = 4_096;

    private static final String SCHEME = "Bearer ";

    private final byte[] token;

    private BearerToken(final String token)
    {
        final String stripped = token.strip();
        if (stripped.length() < MIN_LENGTH || stripped.length() > MAX_LENGTH || stripped.chars().anyMatch(
            (c) -> c <= ' ' || c > '~'))
        {
            throw new IllegalArgumentException("the token must be " + MIN_LENGTH + ".." + MAX_LENGTH +
                " printable ASCII characters without spaces, e.g. the output of 'openssl rand -base64 32'");
        }
        this.token = stripped.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * @param token the token text; surrounding whitespace is ignored.
     * @return the token.
     * @throws IllegalArgumentException if it is too short, too long or not printable ASCII.
     */
    static BearerToken of(final String token)
    {
        return new BearerToken(token);
    }

    /**
     * @param file a file whose content is the token (a trailing newline is ignored).
     * @return the token.
     * @throws UncheckedIOException     if the file cannot be read.
     * @throws IllegalArgumentException if the content is not a valid token.
     */
    static BearerToken fromFile(final Path file)
    {
        try
        {
            return new BearerToken(Files.readString(file, StandardCharsets.UTF_8));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read token file " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @param variable an environment variable's name.
     * @return the token it holds.
     * @throws IllegalArgumentException if it is not set or not a valid token.
     */
    static BearerToken fromEnvironment(final String variable)
    {
        final String text = System.getenv(variable);
        if (null == text || text.isBlank())
        {
            throw new IllegalArgumentException("environment variable " + variable + " is not set");
        }
        return new BearerToken(text);
    }

    /**
     * @param authorization the request's {@code Authorization} header, or null.
     * @return true if it is {@code Bearer <this token>}.
     */
    boolean accepts(final String authorization)
    {
        if (null == authorization || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length()))
        {
            return false;
        }
        final byte[] given = authorization.substring(SCHEME.length()).strip().getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(token, given);
    }

    /**
     * Never the token.
     *
     * @return a description.
     */
    public String toString()
    {
        return "BearerToken{length=" + token.length + '}';
    }
}
