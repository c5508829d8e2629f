package io.crontainer.deploy.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

class OrphanedConfigurationsTest {

	@TempDir
	Path etc;

	private final List<String> deleted = new ArrayList<>();

	@Test
	void deletesOnlyTheConfigurationsWhoseFileIsGone() throws Exception {
		Path kept = Files.writeString(etc.resolve("kept.cfg"), "a = 1\n");
		Path gone = etc.resolve("gone.cfg");
		List<String> purged = OrphanedConfigurations.purge(admin(configuration("kept", kept.toUri().toString()),
				configuration("gone", gone.toUri().toString()), configuration("path", etc.resolve("also-gone.cfg").toString()),
				configuration("unrelated", null)));
		assertThat(purged).containsExactly("gone", "path");
		assertThat(deleted).containsExactly("gone", "path");
	}

	@Test
	void noConfigurationsIsNothingToDo() throws Exception {
		assertThat(OrphanedConfigurations.purge(admin((Configuration[]) null))).isEmpty();
	}

	@Test
	void aValueThatIsNoFileIsLeftAlone() {
		assertThat(OrphanedConfigurations.file("file:not a uri")).isNull();
		assertThat(OrphanedConfigurations.file("/opt/crontainer/etc/x.cfg")).hasToString("/opt/crontainer/etc/x.cfg");
	}

	private Configuration configuration(String pid, String filename) {
		Hashtable<String, Object> properties = new Hashtable<>();
		properties.put("service.pid", pid);
		if (filename != null) {
			properties.put(OrphanedConfigurations.FILENAME, filename);
		}
		return (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Configuration.class },
				(proxy, method, args) -> {
					if (deleted.contains(pid)) { // as Felix ConfigAdmin: a deleted configuration answers nothing
						throw new IllegalStateException("Configuration " + pid + " deleted");
					}
					return switch (method.getName()) {
					case "getPid" -> pid;
					case "getProperties" -> properties;
					case "delete" -> {
						deleted.add(pid);
						yield null;
					}
					default -> throw new UnsupportedOperationException(method.getName());
					};
				});
	}

	private static ConfigurationAdmin admin(Configuration... configurations) {
		return (ConfigurationAdmin) Proxy.newProxyInstance(OrphanedConfigurationsTest.class.getClassLoader(),
				new Class<?>[] { ConfigurationAdmin.class }, (proxy, method, args) -> {
					if (!method.getName().equals("listConfigurations")) {
						throw new UnsupportedOperationException(method.getName());
					}
					if (configurations == null) {
						return null;
					}
					// what ConfigAdmin answers to (felix.fileinstall.filename=*)
					return List.of(configurations).stream()
							.filter(c -> c.getProperties().get(OrphanedConfigurations.FILENAME) != null)
							.toArray(Configuration[]::new);
				});
	}
}
