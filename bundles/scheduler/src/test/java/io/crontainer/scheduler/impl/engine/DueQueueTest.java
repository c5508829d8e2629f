package io.crontainer.scheduler.impl.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class DueQueueTest {
	private static final class Entry extends Due {
		final int id;

		Entry(int id) {
			this.id = id;
		}

		@Override
		void come(Parts parts, java.time.Instant now, java.util.List<Runnable> out) {
			throw new AssertionError("the queue never calls what it holds");
		}
	}

	private final DueQueue queue = new DueQueue();

	@Test
	void deadlinesComeOutEarliestFirstAndOnlyWhenDue() {
		Entry a = new Entry(1);
		Entry b = new Entry(2);
		Entry c = new Entry(3);
		queue.schedule(a, 300);
		queue.schedule(b, 100);
		queue.schedule(c, 200);
		assertThat(queue.earliest()).isEqualTo(100);
		assertThat(queue.poll(99)).isNull();
		assertThat(queue.poll(250)).isSameAs(b);
		assertThat(queue.poll(250)).isSameAs(c);
		assertThat(queue.poll(250)).isNull();
		assertThat(queue.poll(300)).isSameAs(a);
		assertThat(queue.earliest()).isEqualTo(Long.MAX_VALUE);
		assertThat(a.queued()).isFalse();
	}

	@Test
	void aDeadlineIsMovedOrCancelledInPlace() {
		Entry a = new Entry(1);
		Entry b = new Entry(2);
		queue.schedule(a, 100);
		queue.schedule(b, 200);
		queue.schedule(a, 300); // moved later
		assertThat(queue.size()).isEqualTo(2);
		assertThat(queue.earliest()).isEqualTo(200);
		queue.cancel(b);
		queue.cancel(b); // twice: nothing
		assertThat(queue.earliest()).isEqualTo(300);
		assertThat(queue.size()).isEqualTo(1);
	}

	@Test
	void manyRandomOperationsKeepTheOrder() {
		Random random = new Random(42);
		List<Entry> entries = new ArrayList<>();
		for (int i = 0; i < 2_000; i++) {
			Entry e = new Entry(i);
			entries.add(e);
			queue.schedule(e, random.nextInt(10_000));
		}
		for (int i = 0; i < 1_000; i++) {
			Entry e = entries.get(random.nextInt(entries.size()));
			if (random.nextBoolean()) {
				queue.cancel(e);
			} else {
				queue.schedule(e, random.nextInt(10_000));
			}
		}
		long expected = entries.stream().filter(Due::queued).count();
		long previous = Long.MIN_VALUE;
		Due d;
		int polled = 0;
		while ((d = queue.poll(Long.MAX_VALUE - 1)) != null) {
			assertThat(d.dueAt).isGreaterThanOrEqualTo(previous);
			previous = d.dueAt;
			polled++;
		}
		assertThat(polled).isEqualTo(expected);
		assertThat(entries).noneMatch(Due::queued);
	}

	@Test
	void theTimerIsWokenOnlyForADeadlineBeforeItsSleep() {
		AtomicInteger wakeups = new AtomicInteger();
		queue.waker(wakeups::incrementAndGet);
		queue.schedule(new Entry(1), 500);
		assertThat(wakeups).as("the timer is awake: it looks before it sleeps").hasValue(0);
		queue.sleeping(500);
		queue.schedule(new Entry(2), 800);
		assertThat(wakeups).hasValue(0);
		queue.schedule(new Entry(3), 400);
		assertThat(wakeups).hasValue(1);
		queue.schedule(new Entry(4), 300);
		assertThat(wakeups).as("woken already; it looks again before sleeping").hasValue(1);
		queue.awake();
		queue.sleeping(300);
		queue.schedule(new Entry(5), 300);
		assertThat(wakeups).hasValue(1);
	}
}
