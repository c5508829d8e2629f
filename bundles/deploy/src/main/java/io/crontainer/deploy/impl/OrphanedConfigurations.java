package io.crontainer.deploy.impl;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;

import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes, at start, every configuration that FileInstall made from a {@code .cfg} file that is gone,
 * so that the files in {@code etc/} stay the source of truth across restarts.
 *
 * <p>
 * FileInstall records the file a configuration came from in its {@code felix.fileinstall.filename}
 * property, and deletes the configuration when it sees the file go. It remembers which files it saw
 * in its bundle's data area, which the runtime rebuilds at every start ({@code data/cache}), while
 * ConfigAdmin keeps its configurations in {@code data/config}: a file deleted while the runtime was
 * stopped left its configuration in force. This component closes that gap once, when it activates:
 * a configuration whose file no longer exists is deleted, with one log line naming both.
 *
 * <p>
 * Called once, on the SCR thread that activates it; holds no state afterwards.
 */
@Component(service = {})
public class OrphanedConfigurations {

	/** FileInstall's property: the URL (or path) of the file a configuration was made from. */
	static final String FILENAME = "felix.fileinstall.filename";

	private static final Logger LOG = LoggerFactory.getLogger(OrphanedConfigurations.class);

	/**
	 * @param admin ConfigAdmin (OSGi Compendium 104). Must not be {@code null}.
	 */
	@Activate
	public OrphanedConfigurations(@Reference ConfigurationAdmin admin) {
		try {
			purge(admin);
		} catch (IOException | InvalidSyntaxException | RuntimeException e) {
			LOG.warn("Cannot look for configurations whose .cfg file was deleted while the runtime was stopped", e);
		}
	}

	/**
	 * Deletes the configurations made from files that no longer exist.
	 *
	 * @param admin ConfigAdmin. Must not be {@code null}.
	 * @return The PIDs deleted, in the order ConfigAdmin listed them. Never {@code null}.
	 * @throws IOException If ConfigAdmin cannot list or delete configurations.
	 * @throws InvalidSyntaxException Never: the filter is a constant.
	 */
	static List<String> purge(ConfigurationAdmin admin) throws IOException, InvalidSyntaxException {
		List<String> deleted = new ArrayList<>();
		Configuration[] configurations = admin.listConfigurations("(" + FILENAME + "=*)");
		if (configurations == null) {
			return deleted;
		}
		for (Configuration configuration : configurations) {
			Dictionary<String, Object> properties = configuration.getProperties();
			Object name = properties == null ? null : properties.get(FILENAME);
			File file = name == null ? null : file(name.toString());
			if (file != null && !file.exists()) {
				String pid = configuration.getPid(); // ConfigAdmin refuses getPid() once deleted
				configuration.delete();
				deleted.add(pid);
				LOG.info("Deleted configuration {}: its file {} was removed while the runtime was stopped", pid, file);
			}
		}
		return deleted;
	}

	/** The file of a {@code felix.fileinstall.filename} value: a {@code file:} URL or a path; null if neither. */
	static File file(String name) {
		try {
			return name.startsWith("file:") ? new File(URI.create(name)) : new File(name);
		} catch (IllegalArgumentException e) {
			return null; // not a file URL FileInstall would write: not ours to judge
		}
	}
}
