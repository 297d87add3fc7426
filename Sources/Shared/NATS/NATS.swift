// The NATS module. See ../shared/DESIGN.md for what it holds.
