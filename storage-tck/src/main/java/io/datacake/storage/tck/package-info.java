/**
 * The storage conformance kit: extend {@link io.datacake.storage.tck.StorageTck} with one factory method to check
 * that a {@code Storage} implementation meets the contract, including reopen durability, ordering, bad input and a
 * seeded model test.
 */
package io.datacake.storage.tck;
