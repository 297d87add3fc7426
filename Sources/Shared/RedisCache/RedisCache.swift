// The RedisCache module. See ../shared/DESIGN.md for what it holds.
