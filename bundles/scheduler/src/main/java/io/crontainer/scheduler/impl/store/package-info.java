/**
 * State stores: the one protocol by which the scheduler reads and persists the run state of cron
 * plugins ({@link io.crontainer.scheduler.impl.store.StateStore}), and the local store behind it
 * ({@link io.crontainer.scheduler.impl.store.LocalStateStore}). Private to the scheduler bundle.
 */
package io.crontainer.scheduler.impl.store;
