-- Which of two sessions of one connector is the newer: the join that commits later, as the
-- database serialises the joins of a group. A node keeps the session with the highest
-- generation and ends the others as replaced (never as lost), whatever order they register in.
ALTER TABLE connectors ADD COLUMN session_generation bigint NOT NULL DEFAULT 0;
