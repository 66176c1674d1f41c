-- The node's peer cache, STATE/peers.db. Compiled into the daemon (peer_db.cpp)
-- and read by the network tests that give a node its first peers. A change
-- here is a new version: add its upgrade to peer_db.cpp and raise the number.
PRAGMA user_version = 1;
CREATE TABLE IF NOT EXISTS peers (
 prefix TEXT PRIMARY KEY NOT NULL,
 address TEXT NOT NULL,
 used INTEGER NOT NULL DEFAULT 0,
 date INTEGER DEFAULT (strftime('%s', 'now')));
CREATE INDEX IF NOT EXISTS peers_used ON peers(used);
CREATE TABLE IF NOT EXISTS blacklist (
 prefix TEXT PRIMARY KEY NOT NULL,
 flag INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS blacklist_flag ON blacklist(flag);
CREATE TABLE IF NOT EXISTS config (
 name TEXT PRIMARY KEY NOT NULL,
 value TEXT);
