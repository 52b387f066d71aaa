/**
 * Helpers shared by the engine's tests (and, through the engine's test jar, other modules' tests).
 */
package io.datacake.testing;
