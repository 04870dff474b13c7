CREATE TABLE ai_control (
	id INTEGER NOT NULL, 
	credits BIGINT, 
	script JSON, 
	PRIMARY KEY (id)
);

CREATE TABLE ai_sessions (
	id VARCHAR(36) NOT NULL, 
	user_id INTEGER NOT NULL, 
	organization_id BIGINT, 
	cwd TEXT NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	title TEXT, 
	options JSON NOT NULL, 
	created_at FLOAT NOT NULL, 
	updated_at FLOAT NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ai_sessions_owner ON ai_sessions (user_id, updated_at);

CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

CREATE TABLE codes (
	code_hash VARCHAR(64) NOT NULL, 
	grant_id VARCHAR(32) NOT NULL, 
	client_id VARCHAR(200) NOT NULL, 
	user_id INTEGER NOT NULL, 
	redirect_uri TEXT, 
	scope TEXT NOT NULL, 
	nonce TEXT, 
	code_challenge VARCHAR(128), 
	code_challenge_method VARCHAR(16), 
	auth_time INTEGER NOT NULL, 
	claims JSON, 
	expires_at FLOAT NOT NULL, 
	used_at FLOAT, 
	PRIMARY KEY (code_hash)
);

CREATE TABLE documents (
	name VARCHAR(64) NOT NULL, 
	fingerprint VARCHAR(64) NOT NULL, 
	body JSON NOT NULL, 
	PRIMARY KEY (name)
);

CREATE TABLE faults (
	id INTEGER NOT NULL, 
	spec JSON NOT NULL, 
	remaining INTEGER, 
	hits INTEGER NOT NULL, 
	PRIMARY KEY (id)
);

CREATE TABLE identity_queue (
	id INTEGER NOT NULL, 
	client_id VARCHAR(200), 
	user_id INTEGER NOT NULL, 
	claims JSON, 
	remaining INTEGER NOT NULL, 
	PRIMARY KEY (id)
);

CREATE TABLE pats (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	user_id INTEGER NOT NULL, 
	name VARCHAR(1000) NOT NULL, 
	secret_hash VARCHAR(64) NOT NULL, 
	date_created FLOAT NOT NULL, 
	last_used FLOAT, 
	deleted_at FLOAT
);

CREATE INDEX ix_pats_user_id ON pats (user_id);

CREATE UNIQUE INDEX pats_live_name ON pats (user_id, name) WHERE deleted_at IS NULL;

CREATE TABLE request_log (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	entry JSON NOT NULL
);

CREATE TABLE retired_users (
	user_id INTEGER NOT NULL, 
	retired_at FLOAT NOT NULL, 
	PRIMARY KEY (user_id)
);

CREATE TABLE secrets (
	name VARCHAR(64) NOT NULL, 
	value TEXT NOT NULL, 
	PRIMARY KEY (name)
);

CREATE TABLE state (
	id INTEGER NOT NULL, 
	directory_version INTEGER NOT NULL, 
	clients_version INTEGER NOT NULL, 
	keys_version INTEGER NOT NULL, 
	faults_version INTEGER NOT NULL, 
	queued_identities INTEGER NOT NULL, 
	clock_offset FLOAT NOT NULL, 
	PRIMARY KEY (id)
);

CREATE TABLE tokens (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	grant_id VARCHAR(32) NOT NULL, 
	client_id VARCHAR(200) NOT NULL, 
	user_id INTEGER NOT NULL, 
	scope TEXT NOT NULL, 
	auth_time INTEGER NOT NULL, 
	claims JSON, 
	access_hash VARCHAR(64) NOT NULL, 
	access_expires_at FLOAT NOT NULL, 
	refresh_hash VARCHAR(64), 
	refresh_expires_at FLOAT, 
	issued_at FLOAT NOT NULL, 
	revoked_at FLOAT, 
	refresh_rotated_at FLOAT, 
	refresh_revoked_at FLOAT, 
	UNIQUE (access_hash), 
	UNIQUE (refresh_hash)
);

CREATE INDEX ix_tokens_grant_id ON tokens (grant_id);

CREATE TABLE ai_events (
	session_id VARCHAR(36) NOT NULL, 
	seq INTEGER NOT NULL, 
	event JSON NOT NULL, 
	ready_at FLOAT NOT NULL, 
	PRIMARY KEY (session_id, seq), 
	FOREIGN KEY(session_id) REFERENCES ai_sessions (id)
);

CREATE TABLE ai_messages (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	session_id VARCHAR(36) NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	content TEXT NOT NULL, 
	created_at FLOAT NOT NULL, 
	FOREIGN KEY(session_id) REFERENCES ai_sessions (id)
);

CREATE INDEX ix_ai_messages_session_id ON ai_messages (session_id);

CREATE TABLE ai_tool_calls (
	request_id VARCHAR(64) NOT NULL, 
	session_id VARCHAR(36) NOT NULL, 
	command TEXT NOT NULL, 
	continuation JSON NOT NULL, 
	result JSON, 
	closed_at FLOAT, 
	PRIMARY KEY (request_id), 
	FOREIGN KEY(session_id) REFERENCES ai_sessions (id)
);

CREATE INDEX ix_ai_tool_calls_session_id ON ai_tool_calls (session_id);

