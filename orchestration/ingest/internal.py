"""Names of the columns the readers add for the parser: no file uses them, so a file's own
column of the same meaning (a "line number", say) is just data."""

ROW_INDEX = "__autotrade_line_number"
# Fields past the header's last column land here, so that such a line can be quarantined.
OVERFLOW = "__autotrade_overflow"
# A reader's column naming, per row, the file's column a field was read from (``usitc``): a
# quarantined rate then names ``col1_special_text`` rather than ``rate_pct``.
ORIGIN_PREFIX = "__autotrade_origin_"
# Whether a field of the row is longer than ``limits.MAX_FIELD_BYTES`` (``read.long_field``).
LONG_FIELD = "__autotrade_long_field"
# Whether the row is a blank line: it is numbered, then neither loaded nor quarantined.
BLANK_LINE = "__autotrade_blank_line"
