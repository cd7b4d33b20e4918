"""The resident service portal (居民服务门户)."""
