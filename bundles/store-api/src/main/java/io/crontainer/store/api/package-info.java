/**
 * Crontainer State Store Package Version 1.1.
 *
 * <p>
 * The narrow interface through which the Crontainer scheduler keeps the run state of cron plugins
 * ({@link io.crontainer.store.api.StateStore}), and the service by which a bundle of its own brings
 * a store (a database) to it ({@link io.crontainer.store.api.StateStoreProvider}). Not part of the
 * plugin API ({@code io.crontainer.api}): plugins never see it. Since 1.1 a store may keep each run's
 * log beside its history ({@link io.crontainer.store.api.StateStore#keepsLogs()}), in the text form of
 * {@link io.crontainer.store.api.RunLogText} if it likes, and can read the history of many names in one
 * round trip ({@link io.crontainer.store.api.StateStore#histories}); and it may keep re-runs of past
 * windows ({@link io.crontainer.store.api.Rerun}, {@link io.crontainer.store.api.StateStore#keepsReruns()}).
 *
 * <p>
 * Since 1.1: a pause's note ({@link io.crontainer.store.api.PauseNote}) and a pending retry
 * ({@link io.crontainer.store.api.PendingRetry}) in {@link io.crontainer.store.api.RunState}, kept by
 * {@link io.crontainer.store.api.StateStore#setPaused(String, boolean, io.crontainer.store.api.PauseNote)}
 * and {@link io.crontainer.store.api.StateStore#setRetry}; the time of a claim on the store's clock
 * ({@link io.crontainer.store.api.Claim#claimedAt()}, the end of its window), and how far this runtime's
 * clock is off the store's ({@link io.crontainer.store.api.StateStore#clockSkew()},
 * {@link io.crontainer.store.api.StateStore#clockWarning()}).
 *
 * <p>
 * A store bundle implements the provider types of this package and must use a provider range:
 *
 * <pre>
 * Import-Package: io.crontainer.store.api; version="[1.1,1.2)"
 * </pre>
 */
@Export
@Version("1.1.0")
package io.crontainer.store.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
