package io.crontainer.deploy.impl;

import java.io.File;
import java.io.IOException;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import org.apache.felix.fileinstall.ArtifactInstaller;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says so when a jar in {@code deploy/} cannot be installed: FileInstall itself skips a jar that is
 * truncated, not a zip, or not an OSGi bundle without a word, and retries it at every poll.
 *
 * <p>
 * An {@link ArtifactInstaller} (FileInstall's whiteboard): FileInstall asks every installer whether it
 * handles a new or changed file ({@link #canHandle}) before its own bundle installer, so this one claims
 * exactly the {@code .jar} files that the bundle installer cannot take, and logs one warning naming the
 * file and the reason when FileInstall "installs" it, and again only when the file changes and is still
 * unusable. When the file is fixed (a complete bundle copied over it), this installer no longer handles
 * it, and FileInstall installs the bundle as usual.
 *
 * <p>
 * Called on FileInstall's watcher threads; stateless and thread-safe.
 */
@Component(service = ArtifactInstaller.class)
public class UnreadableJars implements ArtifactInstaller {

	private static final Logger LOG = LoggerFactory.getLogger(UnreadableJars.class);

	@Override
	public boolean canHandle(File artifact) {
		return artifact.getName().endsWith(".jar") && artifact.isFile() && problem(artifact) != null;
	}

	@Override
	public void install(File artifact) {
		warn(artifact);
	}

	@Override
	public void update(File artifact) {
		warn(artifact);
	}

	@Override
	public void uninstall(File artifact) {
		LOG.debug("{} is gone or fixed", artifact);
	}

	private static void warn(File artifact) {
		String problem = problem(artifact);
		if (problem != null) {
			LOG.warn("Ignoring {}: {}. Copy it again (to a name not ending in .jar, then rename it), and it is"
					+ " installed.", artifact, problem);
		}
	}

	/**
	 * Why a jar cannot be installed as a bundle.
	 *
	 * @return The reason, or {@code null} if it is a readable jar with a {@code Bundle-SymbolicName}.
	 */
	static String problem(File artifact) {
		try (JarFile jar = new JarFile(artifact)) {
			Manifest manifest = jar.getManifest();
			if (manifest == null || manifest.getMainAttributes().getValue("Bundle-SymbolicName") == null) {
				return "it is not an OSGi bundle (no Bundle-SymbolicName in its manifest)";
			}
			return null;
		} catch (IOException | SecurityException e) {
			return "it cannot be read as a jar, truncated or not a jar at all (" + e.getMessage() + ")";
		}
	}
}
