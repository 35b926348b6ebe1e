-- A batch check's results as an Excel workbook too (reasons and hints, a summary, a chart).
ALTER TABLE batch_runs ADD COLUMN workbook BYTEA;
