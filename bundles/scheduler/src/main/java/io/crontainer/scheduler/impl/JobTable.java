package io.crontainer.scheduler.impl;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The job table: every plugin service by {@code service.id}, and which of them owns each name. A
 * second live plugin with a name is a duplicate; when the owner leaves or is renamed, the earliest
 * duplicate takes the name over.
 *
 * <p>
 * Not thread-safe by itself: guarded by the engine's lock, which the callers hold (the whiteboard
 * thread on arrival, change and departure; every other part to look jobs up).
 */
final class JobTable {
	private final Map<Long, Job> jobs = new HashMap<>();
	private final Map<String, Job> owners = new HashMap<>();
	/** Duplicates by name, in arrival order; only names that have some. */
	private final Map<String, List<Job>> duplicates = new HashMap<>();
	private long arrivals;

	long nextSeq() {
		return arrivals++;
	}

	Job get(long serviceId) {
		return jobs.get(serviceId);
	}

	/** Adds a job: it owns its name if no one does, else it is a duplicate. */
	void add(long serviceId, Job job) {
		jobs.put(serviceId, job);
		place(job);
	}

	/** Removes a job; {@code null} if unknown. Its name is not released: see {@link #release}. */
	Job remove(long serviceId) {
		return jobs.remove(serviceId);
	}

	/** Files a job under its (new) name: owner if free, else duplicate. */
	void place(Job job) {
		if (owners.containsKey(job.name())) {
			job.owner = false;
			List<Job> list = duplicates.computeIfAbsent(job.name(), n -> new ArrayList<>(1));
			list.add(job);
			list.sort((a, b) -> Long.compare(a.seq, b.seq));
		} else {
			owners.put(job.name(), job);
			job.owner = true;
		}
	}

	/**
	 * Takes a job off a name (it left or was renamed). If it owned the name, the earliest duplicate
	 * becomes the owner and is returned; else {@code null}.
	 */
	Job release(Job job, String name) {
		List<Job> list = duplicates.get(name);
		if (owners.get(name) != job) {
			if (list != null) {
				list.remove(job);
				if (list.isEmpty()) {
					duplicates.remove(name);
				}
			}
			return null;
		}
		owners.remove(name);
		job.owner = false;
		if (list == null) {
			return null;
		}
		Job next = list.remove(0);
		if (list.isEmpty()) {
			duplicates.remove(name);
		}
		owners.put(name, next);
		next.owner = true;
		return next;
	}

	Job owner(String name) {
		return owners.get(name);
	}

	Collection<Job> all() {
		return jobs.values();
	}

	Collection<Job> owners() {
		return owners.values();
	}

	int size() {
		return jobs.size();
	}

	/** The owner of a name, or an {@link IllegalArgumentException} naming the known ones. */
	Job require(String name) {
		Job job = owners.get(name);
		if (job == null) {
			throw unknown(name);
		}
		return job;
	}

	IllegalArgumentException unknown(String name) {
		TreeSet<String> known = new TreeSet<>(owners.keySet());
		String list = known.size() <= 50 ? String.join(", ", known)
				: String.join(", ", new ArrayList<>(known).subList(0, 50)) + ", ... (" + known.size() + " in all)";
		return new IllegalArgumentException("no cron plugin is named '" + name + "'; "
				+ (known.isEmpty() ? "there are none" : "known: " + list));
	}
}
