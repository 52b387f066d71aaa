/**
 * The storage conformance kit: extend {@link io.datacake.storage.tck.StorageTck} with one factory method to check
 * that a {@code Storage} implementation meets the contract, including reopen durability, ordering, bad input and a
 * seeded model test. {@link io.datacake.storage.tck.ReplicatedStoreScenarios} runs the replicated store's scenarios
 * (one node, three nodes at each level, restart, keyspaces, membership changes) on a storage the same way.
 */
package io.datacake.storage.tck;
