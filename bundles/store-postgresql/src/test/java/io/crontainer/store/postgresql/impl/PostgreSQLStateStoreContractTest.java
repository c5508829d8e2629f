package io.crontainer.store.postgresql.impl;

import java.util.Map;

import javax.sql.DataSource;
import io.crontainer.store.api.StateStore;
import io.crontainer.store.api.StateStoreContract;

/** The state store contract, against the PostgreSQL store on a real server (a fresh database per test). */
class PostgreSQLStateStoreContractTest extends StateStoreContract {
	/** A fresh database per test: created by the first open() of the test, reused by reopen(). */
	private DataSource dataSource;

	@Override
	protected StateStore open() {
		if (dataSource == null) {
			dataSource = TestDatabase.dataSource(TestDatabase.createDatabase());
		}
		return new PostgreSQLStateStore(dataSource, "test", "node-a", PostgreSQLStateStore.Options.DEFAULT, Map::of);
	}

	@Override
	protected int historyKept() {
		return PostgreSQLStateStore.Options.DEFAULT.historyKept();
	}
}
