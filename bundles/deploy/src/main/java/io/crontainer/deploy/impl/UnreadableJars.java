package io.crontainer.deploy.impl;

import java.io.File;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import org.apache.felix.fileinstall.ArtifactInstaller;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says so when a jar in {@code deploy/} cannot be installed: FileInstall itself skips a jar that is
 * truncated, not a zip, or not an OSGi bundle without a word, and tries it again at every poll.
 *
 * <p>
 * An {@link ArtifactInstaller} (FileInstall's whiteboard) that handles nothing: FileInstall asks every
 * installer whether it handles a new, changed or so far unhandled file ({@link #canHandle}) before its
 * own bundle installer; this one answers no, always, and on the way logs one warning for a {@code .jar}
 * that the bundle installer cannot take, naming the file and the reason. It warns again only when the
 * file changes (its size or time stamp) and is still unusable. Since it claims nothing, FileInstall
 * installs the jar as soon as a complete bundle replaces it.
 *
 * <p>
 * Called on FileInstall's watcher threads; thread-safe (a concurrent map of the files warned about).
 */
@Component(service = ArtifactInstaller.class)
public class UnreadableJars implements ArtifactInstaller {

	private static final Logger LOG = LoggerFactory.getLogger(UnreadableJars.class);

	/** The files warned about: path to "length:lastModified" of the version warned about. */
	private final Map<String, String> warned = new ConcurrentHashMap<>();

	@Override
	public boolean canHandle(File artifact) {
		if (!artifact.getName().endsWith(".jar") || !artifact.isFile()) {
			return false;
		}
		String problem = problem(artifact);
		String path = artifact.getAbsolutePath();
		if (problem == null) {
			warned.remove(path);
			return false;
		}
		String version = artifact.length() + ":" + artifact.lastModified();
		if (!version.equals(warned.put(path, version))) {
			LOG.warn("Ignoring {}: {}", artifact, problem);
		}
		return false;
	}

	@Override
	public void install(File artifact) {
		// never called: this installer handles nothing
	}

	@Override
	public void update(File artifact) {
		// never called: this installer handles nothing
	}

	@Override
	public void uninstall(File artifact) {
		// never called: this installer handles nothing
	}

	/** The remedy for a jar that is not a bundle: copying it again changes nothing. */
	static final String NOT_A_BUNDLE = "it is not an OSGi bundle (no Bundle-SymbolicName in its manifest), and"
			+ " copying it again changes nothing. A plugin must be built as a bundle: with the bnd-maven-plugin, as a"
			+ " project made from the plugin archetype io.crontainer.archetype.plugin is (see the README, \"Write your own"
			+ " cron plugin\"). A library a plugin needs goes inside the plugin's bundle (bnd's -conditionalpackage or"
			+ " -includeresource), or into deploy/ as a bundle of its own, once it is one.";

	/**
	 * Why a jar cannot be installed as a bundle, and what to do: one sentence or two.
	 *
	 * @return The reason and remedy, or {@code null} if it is a readable jar with a
	 *         {@code Bundle-SymbolicName}.
	 */
	static String problem(File artifact) {
		try (JarFile jar = new JarFile(artifact)) {
			Manifest manifest = jar.getManifest();
			if (manifest == null || manifest.getMainAttributes().getValue("Bundle-SymbolicName") == null) {
				return NOT_A_BUNDLE;
			}
			return null;
		} catch (IOException | SecurityException e) {
			return "it cannot be read as a jar, truncated or not a jar at all (" + e.getMessage() + "). Copy it"
					+ " again (to a name not ending in .jar, then rename it), and it is installed.";
		}
	}
}
