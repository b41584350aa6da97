-- An imported model keeps the fixture it was verified with, so it can be exported again
-- with the same proof (procura model export ID). DuckDB cannot add a NOT NULL column; the
-- default fills existing rows and SaveModel always writes a value.
ALTER TABLE models ADD COLUMN fixture TEXT DEFAULT '';
