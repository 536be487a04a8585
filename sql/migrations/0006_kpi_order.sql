-- +up
-- What the report needs of each KPI besides its title: where its tile and
-- page go (ascending; ties by id) and which change is good news (higher,
-- lower or none). Both come from the order and better fields of the KPI's
-- SQL header, which compute writes here with the other header fields; a
-- version registered before this migration has NULL until compute runs.
ALTER TABLE kpis ADD COLUMN page_order INTEGER;
ALTER TABLE kpis ADD COLUMN better VARCHAR; -- higher, lower, none
