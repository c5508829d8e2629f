package io.crontainer.scheduler.impl.osgi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.crontainer.api.runtime.CronEvents;

/**
 * Which {@code event.topics} of an Event Admin handler take a topic of the scheduler's events: an
 * event that none takes is not posted (the run and state events themselves: {@code EventsTest}).
 */
class EventPosterTest {

	@Test
	void aHandlerSubscribesByTopicWildcardOrPrefix() {
		assertThat(EventPoster.subscribes(CronEvents.RUN_ENDED, CronEvents.RUN_ENDED)).isTrue();
		assertThat(EventPoster.subscribes(CronEvents.RUN_ENDED, CronEvents.RUN_STARTED)).isFalse();
		assertThat(EventPoster.subscribes("*", CronEvents.RUN_STARTED)).isTrue();
		assertThat(EventPoster.subscribes(CronEvents.TOPIC_PREFIX + "*", CronEvents.STATE_CHANGED)).isTrue();
		assertThat(EventPoster.subscribes("io/crontainer*", CronEvents.STATE_CHANGED)).as("not a topic pattern").isFalse();
		assertThat(EventPoster.subscribes("org/osgi/framework/*", CronEvents.RUN_STARTED)).isFalse();
		assertThat(EventPoster.subscribes(new String[] {"org/osgi/framework/*", CronEvents.RUN_STARTED},
				CronEvents.RUN_STARTED)).isTrue();
		assertThat(EventPoster.subscribes(List.of(CronEvents.RUN_ENDED), CronEvents.RUN_ENDED)).isTrue();
		assertThat(EventPoster.subscribes(null, CronEvents.RUN_ENDED)).as("no event.topics: no events").isFalse();
		assertThat(EventPoster.subscribes(42, CronEvents.RUN_ENDED)).isFalse();
	}

	@Test
	void withoutHandlersNothingIsSubscribed() {
		assertThat(EventPoster.subscribed(null, CronEvents.RUN_ENDED)).isFalse();
		assertThat(EventPoster.subscribed(List.of(), CronEvents.RUN_ENDED)).isFalse();
	}
}
