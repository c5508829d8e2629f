/**
 * The state stores built into the scheduler: the local store
 * ({@link io.crontainer.scheduler.impl.store.LocalStateStore}, the default), the store of a
 * configuration that names no usable one, and the selection of the store that the configuration names
 * ({@link io.crontainer.scheduler.impl.store.StateStores}): the local one, or one that a bundle of its
 * own provides ({@link io.crontainer.store.api.StateStoreProvider}). The protocol itself is the store
 * API ({@code io.crontainer.store.api}). Private to the scheduler bundle.
 */
package io.crontainer.scheduler.impl.store;
