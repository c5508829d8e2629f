package io.crontainer.examples.tokencleaner;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** The token data of the seed project's test, and queries on it. */
final class SeedTokens {

	private SeedTokens() {
	}

	/**
	 * The seed's tokens: 100 access tokens, token i created i days before {@code end}, expiring 24 h less
	 * 5 s after its creation, each with one refresh token. Token i expired at
	 * {@code end - (i - 1) days - 5 s}, which is before {@code end - 7 days} exactly when i >= 8.
	 */
	static void insert(Connection connection, Instant end) throws SQLException {
		try (PreparedStatement access = connection.prepareStatement(
				"INSERT INTO access_tokens (id, user_id, access_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)");
				PreparedStatement refresh = connection.prepareStatement(
						"INSERT INTO refresh_tokens (id, access_token_id, refresh_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")) {
			for (int i = 0; i < 100; i++) {
				Instant created = end.minus(Duration.ofDays(i));
				Instant expires = created.plus(Duration.ofHours(24)).minusSeconds(5);
				access.setLong(1, i);
				access.setLong(2, 1);
				access.setString(3, "access-" + i);
				access.setObject(4, utc(created));
				access.setObject(5, utc(expires));
				access.executeUpdate();
				refresh.setLong(1, 1000 + i);
				refresh.setLong(2, i);
				refresh.setString(3, "refresh-" + i);
				refresh.setObject(4, utc(created));
				refresh.setObject(5, utc(created.plus(Duration.ofDays(30))));
				refresh.executeUpdate();
			}
		}
	}

	static OffsetDateTime utc(Instant instant) {
		return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
	}

	static List<Long> ids(Connection connection, String table) throws SQLException {
		List<Long> ids = new ArrayList<>();
		try (Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT id FROM " + table + " ORDER BY id")) {
			while (rows.next()) {
				ids.add(rows.getLong(1));
			}
		}
		return ids;
	}
}
