package io.crontainer.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Writes the bundle of {@link ProbePlugin}: its class, copied from the test's classes, and a manifest. */
final class ProbeBundle {
	private ProbeBundle() {
	}

	static void write(Path jar, String name, String interval, long workMillis) throws IOException {
		Manifest manifest = new Manifest();
		Attributes main = manifest.getMainAttributes();
		main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
		main.putValue("Bundle-ManifestVersion", "2");
		main.putValue("Bundle-SymbolicName", "io.crontainer.cluster.probe");
		main.putValue("Bundle-Version", "1.0.0");
		main.putValue("Bundle-Activator", ProbePlugin.class.getName());
		main.putValue("Import-Package", "io.crontainer.api;version=\"[1.0,2)\",org.osgi.framework");
		main.putValue("Probe-Name", name);
		main.putValue("Probe-Interval", interval);
		main.putValue("Probe-Work-Millis", Long.toString(workMillis));
		Path temp = jar.resolveSibling(jar.getFileName() + ".part");
		try (OutputStream file = Files.newOutputStream(temp); JarOutputStream out = new JarOutputStream(file, manifest)) {
			String entry = ProbePlugin.class.getName().replace('.', '/') + ".class";
			out.putNextEntry(new JarEntry(entry));
			try (InputStream in = ProbeBundle.class.getClassLoader().getResourceAsStream(entry)) {
				in.transferTo(out);
			}
			out.closeEntry();
		}
		Files.move(temp, jar);
	}
}
