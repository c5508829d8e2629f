package io.crontainer.shell.impl;

import java.util.ArrayList;
import java.util.Formatter;
import java.util.List;

/**
 * A text table: a header row and aligned columns whose widths are computed from their content.
 *
 * <p>
 * Columns are separated by two spaces and left-aligned unless marked {@linkplain #right(int) right}.
 * The last column is not padded, and no line ends with a space. An {@linkplain #optional(int)
 * optional} column is left out when none of its cells has a value ({@code null}, empty or
 * {@value #NONE}).
 *
 * <p>
 * Not thread-safe: build and render it on one thread.
 */
final class Table {
	/** What an absent value prints as. */
	static final String NONE = "-";

	private final String[] headers;
	private final boolean[] right;
	private final boolean[] optional;
	private final List<String[]> rows = new ArrayList<>();
	private boolean header = true;

	Table(String... headers) {
		this.headers = headers.clone();
		this.right = new boolean[headers.length];
		this.optional = new boolean[headers.length];
	}

	/** A table of two columns, labels and values, without a header row. */
	static Table fields() {
		Table table = new Table("", "");
		table.header = false;
		return table;
	}

	/** Right-aligns column {@code index} (counted from 0). */
	Table right(int index) {
		right[index] = true;
		return this;
	}

	/** Leaves out column {@code index} (counted from 0) when it holds no value. */
	Table optional(int index) {
		optional[index] = true;
		return this;
	}

	/**
	 * Adds a row. A {@code null} cell prints as {@value #NONE}; line breaks in a cell become spaces, other
	 * control characters are escaped ({@link #oneLine(String)}).
	 *
	 * @throws IllegalArgumentException If the number of cells is not the number of columns.
	 */
	Table row(Object... cells) {
		if (cells.length != headers.length) {
			throw new IllegalArgumentException(
					"a row of " + cells.length + " cells in a table of " + headers.length + " columns");
		}
		String[] row = new String[cells.length];
		for (int i = 0; i < cells.length; i++) {
			row[i] = cells[i] == null ? NONE : oneLine(cells[i].toString());
			if (row[i].isEmpty()) {
				row[i] = NONE;
			}
		}
		rows.add(row);
		return this;
	}

	boolean isEmpty() {
		return rows.isEmpty();
	}

	int size() {
		return rows.size();
	}

	/** Appends the header and the rows, each line ended by {@code %n}, to {@code out}. */
	void render(Formatter out) {
		boolean[] shown = new boolean[headers.length];
		int[] width = new int[headers.length];
		int last = -1;
		for (int c = 0; c < headers.length; c++) {
			int column = c;
			shown[c] = !optional[c] || rows.stream().anyMatch(r -> !NONE.equals(r[column]));
			width[c] = headers[c].length();
			for (String[] row : rows) {
				width[c] = Math.max(width[c], row[c].length());
			}
			if (shown[c]) {
				last = c;
			}
		}
		if (header) {
			line(out, headers, shown, width, last);
		}
		for (String[] row : rows) {
			line(out, row, shown, width, last);
		}
	}

	private void line(Formatter out, String[] cells, boolean[] shown, int[] width, int last) {
		StringBuilder line = new StringBuilder();
		boolean first = true;
		for (int c = 0; c < cells.length; c++) {
			if (!shown[c]) {
				continue;
			}
			if (!first) {
				line.append("  ");
			}
			first = false;
			if (c == last && !right[c]) {
				line.append(cells[c]);
			} else {
				line.append(String.format(right[c] ? "%" + width[c] + "s" : "%-" + width[c] + "s", cells[c]));
			}
		}
		int end = line.length();
		while (end > 0 && line.charAt(end - 1) == ' ') {
			end--;
		}
		out.format("%s%n", line.substring(0, end));
	}

	/**
	 * Replaces line breaks and tabs with spaces, so one value stays on one line, and escapes the other
	 * control characters ({@link Text#escaped(String)}), so a value cannot act on the terminal.
	 */
	static String oneLine(String s) {
		return Text.escaped(s.replaceAll("[\\r\\n\\t]+", " ").strip());
	}
}
