# The two commands a newcomer needs, and a few for maintainers.
.PHONY: run test bench bench-newsletter screenshots lint sqlx-prepare

run:            ## serve the platform with demo content on http://127.0.0.1:8080
	scripts/run

test:           ## the whole test suite against real PostgreSQL, SMTP and Chromium
	scripts/test

bench:          ## load test next to an nginx baseline (not part of `make test`)
	scripts/bench

bench-newsletter: ## a campaign to 100,000 subscribers next to a raw SMTP pump
	scripts/bench-newsletter

screenshots:    ## refresh the README screenshots in docs/screenshots
	SCREENSHOTS_TO_DOCS=1 scripts/test

sqlx-prepare:   ## regenerate .sqlx/ (checked queries' offline data) after changing a query or migration
	scripts/sqlx-prepare

lint:
	cargo fmt --all -- --check
	SQLX_OFFLINE=true cargo clippy --all-targets -- -D warnings
