package io.crontainer.itests.scheduler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Writes small plugin bundles at test time, so tests can install, update, stop and uninstall a
 * plugin's bundle: the bundle holds {@link PluginActivator} and {@link ItPlugin}, copied from the
 * test's own classes, and imports the plugin API.
 */
final class PluginBundles {
	private PluginBundles() {
	}

	static Path write(Path dir, String symbolicName, String name, String interval, long blockMillis)
			throws IOException {
		Manifest manifest = new Manifest();
		Attributes main = manifest.getMainAttributes();
		main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
		main.putValue("Bundle-ManifestVersion", "2");
		main.putValue("Bundle-SymbolicName", symbolicName);
		main.putValue("Bundle-Version", "1.0.0");
		main.putValue("Bundle-Activator", PluginActivator.class.getName());
		main.putValue("Import-Package", "io.crontainer.api;version=\"[1.0,2)\",org.osgi.framework");
		main.putValue("Cron-Name", name);
		main.putValue("Cron-Interval", interval);
		main.putValue("Cron-Block-Millis", Long.toString(blockMillis));
		Path jar = Files.createTempFile(dir, symbolicName, ".jar");
		try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
			for (Class<?> type : new Class<?>[] { PluginActivator.class, ItPlugin.class }) {
				String entry = type.getName().replace('.', '/') + ".class";
				out.putNextEntry(new JarEntry(entry));
				try (InputStream in = PluginBundles.class.getClassLoader().getResourceAsStream(entry)) {
					in.transferTo(out);
				}
				out.closeEntry();
			}
		}
		return jar;
	}
}
