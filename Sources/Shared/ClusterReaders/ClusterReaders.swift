// The ClusterReaders module. See ../shared/DESIGN.md for what it holds.
