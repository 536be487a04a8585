-- +up
-- Population estimates (compute's "estimate:" header). Every result row
-- can carry its 95% interval and the sampled blobs behind it, and, for
-- estimates from sampled blobs, the additive sums (package stats) from
-- which the interval of any range of days is computed: add the days'
-- sums and estimate again. Rows of versions that describe the sample
-- itself (estimate "sample", every version before this) have NULL there.
ALTER TABLE kpi_results ADD COLUMN lo DOUBLE;     -- 95% interval of value; = value for a census
ALTER TABLE kpi_results ADD COLUMN hi DOUBLE;
ALTER TABLE kpi_results ADD COLUMN n BIGINT;      -- sampled blobs (observations) behind value
ALTER TABLE kpi_results ADD COLUMN s_blobs DOUBLE; -- N    = count of blobs
ALTER TABLE kpi_results ADD COLUMN s_y DOUBLE;     -- Y    = Σ y
ALTER TABLE kpi_results ADD COLUMN s_wy DOUBLE;    -- Num  = Σ w·y
ALTER TABLE kpi_results ADD COLUMN s_w DOUBLE;     -- Den  = Σ w
ALTER TABLE kpi_results ADD COLUMN s_w2 DOUBLE;    -- W2   = Σ w²
ALTER TABLE kpi_results ADD COLUMN s_w2y DOUBLE;   -- W2Y  = Σ w²·y
ALTER TABLE kpi_results ADD COLUMN s_w2y2 DOUBLE;  -- W2Y2 = Σ w²·y²
ALTER TABLE kpi_results ADD COLUMN s_wy2 DOUBLE;   -- WY2  = Σ w·y²
-- sample, census, total, rate, mean or quantiles: how value estimates.
ALTER TABLE kpis ADD COLUMN estimate VARCHAR DEFAULT 'sample';
