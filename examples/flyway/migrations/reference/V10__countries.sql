CREATE TABLE countries (code char(2) PRIMARY KEY, name text NOT NULL);
INSERT INTO countries VALUES ('NL', 'Netherlands'), ('DE', 'Germany');
