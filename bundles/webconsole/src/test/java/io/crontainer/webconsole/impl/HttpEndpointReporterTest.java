package io.crontainer.webconsole.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.crontainer.webconsole.impl.HttpEndpointReporter.Address;

class HttpEndpointReporterTest {

	@Test
	void theWarningNamesTheConfiguredAddressAndTheRemedy() {
		assertThat(HttpEndpointReporter.notListening(new Address("127.0.0.1", 8081, true, true, true)))
				.startsWith("the HTTP server is not listening: its address 127.0.0.1:8081 is in use or cannot be bound")
				.contains("etc/org.apache.felix.http.cfg");
		assertThat(HttpEndpointReporter.notListening(new Address("127.0.0.1", 8080, true, false, true)))
				.contains("etc/org.apache.felix.http.cfg, which is missing");
		assertThat(HttpEndpointReporter.notListening(new Address(null, 8080, false, true, true)))
				.startsWith("the HTTP server is switched off");
	}

	@Test
	void endpointsComeAsStringArrayOrList() {
		assertThat(HttpEndpointReporter.endpoints("http://127.0.0.1:8080/")).containsExactly("http://127.0.0.1:8080/");
		assertThat(HttpEndpointReporter.endpoints(new String[] { "a", " " })).containsExactly("a");
		assertThat(HttpEndpointReporter.endpoints(List.of("a", "b"))).containsExactly("a", "b");
		assertThat(HttpEndpointReporter.endpoints(null)).isEmpty();
	}
}
