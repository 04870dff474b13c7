BEGIN TRANSACTION;
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
INSERT INTO "codes" VALUES('40b32074baf1ae16ed80b4b842163a93fb890a105cbb4443530e2b8fbf7b3cac','2a118a867fef46668eb387c54fc8830e','nextflow_cli',1001,'http://127.0.0.1:41121/callback','openid profile email offline_access',NULL,'M0378zcLSNW1uT50CY9H2mb-f2rEM4x98GUbC0Bi98I','S256',1796397067,'{}',1.79639712771155524249e+09,1.7963970677536201477e+09);
CREATE TABLE documents (
	name VARCHAR(64) NOT NULL, 
	fingerprint VARCHAR(64) NOT NULL, 
	body JSON NOT NULL, 
	PRIMARY KEY (name)
);
INSERT INTO "documents" VALUES('directory','297b27da17082f3b0c885a830e217e82d50500015a953185029165fdd2685e97','{"users": [{"id": 1001, "userName": "alice", "email": "alice@example.com", "password": "alice-password", "firstName": "Alice", "lastName": "Liddell", "organization": "Acme Research", "defaultWorkspaceId": 75887156211589, "computeEnvs": [{"id": "1aLiCePeRs0nAlCe", "name": "alice-local", "platform": "local-platform", "workDir": "/home/alice/work", "primary": true}]}, {"id": 1002, "userName": "bob", "email": "bob@example.com", "password": "bob-password", "firstName": "Bob", "lastName": "Builder", "organization": "Beta Labs"}, {"id": 1003, "userName": "carol", "email": "carol@example.org", "password": "carol-password", "firstName": "Carol", "lastName": "Danvers"}], "organizations": [{"orgId": 81702924135038, "name": "acme", "fullName": "Acme Research", "type": "pro", "members": {"alice": "owner", "bob": "member"}, "workspaces": [{"id": 75887156211589, "name": "genomics", "fullName": "Genomics Lab", "visibility": "PRIVATE", "participants": {"alice": "owner", "bob": "launch"}, "computeEnvs": [{"id": "4G3n0m1csAwsBatch", "name": "aws-batch-genomics", "platform": "aws-batch", "workDir": "s3://acme-genomics/work", "primary": true}]}, {"id": 75887156211590, "name": "imaging", "fullName": "Imaging Core", "visibility": "SHARED", "participants": {"alice": "admin"}, "computeEnvs": [{"id": "5Im4g1ngGoogleBatch", "name": "google-batch-imaging", "platform": "google-batch", "workDir": "gs://acme-imaging/work", "primary": true}]}]}, {"orgId": 81702924135099, "name": "beta-labs", "fullName": "Beta Labs", "type": "academic", "members": {"bob": "owner"}, "workspaces": [{"id": 89712300011001, "name": "research", "fullName": "Beta Research", "visibility": "PRIVATE", "participants": {"bob": "owner"}, "computeEnvs": [{"id": "6B3t4SlurmCluster", "name": "slurm-hpc", "platform": "slurm-platform", "workDir": "/scratch/beta/work", "primary": true}]}, {"id": 89712300011002, "name": "teaching", "fullName": "Beta Teaching", "visibility": "PRIVATE", "participants": {"bob": "maintain"}, "computeEnvs": [{"id": "7B3t4Te4chAzure", "name": "azure-batch-teaching", "platform": "azure-batch", "workDir": "az://beta-teaching/work", "primary": true}]}]}]}');
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
INSERT INTO "pats" VALUES(1,1001,'release-0.1.0','02d81ac2d435f839d4a6a2d6164362f45b6cb83100a6ce1f6d8f74668830686d',1.79639706777643275254e+09,NULL,NULL);
CREATE TABLE request_log (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	entry JSON NOT NULL
);
INSERT INTO "request_log" VALUES(1,'{"time": "2026-12-04T15:11:07.712Z", "method": "GET", "path": "/api/oauth/authorize", "endpoint": "oidc.authorize", "status": 302, "query": {"client_id": "nextflow_cli", "response_type": "code", "scope": "openid profile email offline_access", "redirect_uri": "http://127.0.0.1:41121/callback", "state": "jThvgXbpGZuJC6o5LPSyKg", "code_challenge": "M0378zcLSNW1uT50CY9H2mb-f2rEM4x98GUbC0Bi98I", "code_challenge_method": "S256", "login_hint": "alice"}, "headers": {"User-Agent": "Werkzeug/3.1.9"}, "redirect": {"to": "http://127.0.0.1:41121/callback", "query": {"code": "*** (43 chars)", "state": "jThvgXbpGZuJC6o5LPSyKg"}}}');
INSERT INTO "request_log" VALUES(2,'{"time": "2026-12-04T15:11:07.764Z", "method": "POST", "path": "/api/oauth/token", "endpoint": "oidc.token", "status": 200, "headers": {"Content-Type": "application/x-www-form-urlencoded", "Cookie": "mock_platform_session=***", "User-Agent": "Werkzeug/3.1.9"}, "form": {"grant_type": "authorization_code", "client_id": "nextflow_cli", "code": "*** (43 chars)", "code_verifier": "*** (64 chars)", "redirect_uri": "http://127.0.0.1:41121/callback"}}');
INSERT INTO "request_log" VALUES(3,'{"time": "2026-12-04T15:11:07.784Z", "method": "POST", "path": "/api/tokens", "endpoint": "platform_tokens.create_token", "status": 200, "headers": {"Authorization": "Bearer *** (JWT, 774 chars)", "Content-Type": "application/json", "Cookie": "mock_platform_session=***", "User-Agent": "Werkzeug/3.1.9"}, "json": {"name": "release-0.1.0"}}');
INSERT INTO "request_log" VALUES(4,'{"time": "2026-12-04T15:11:07.785Z", "method": "GET", "path": "/api/.well-known/jwks.json", "endpoint": "oidc.jwks", "status": 200, "headers": {"Cookie": "mock_platform_session=***", "User-Agent": "Werkzeug/3.1.9"}}');
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
INSERT INTO "state" VALUES(1,1,0,0,0,0,0.0);
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
INSERT INTO "tokens" VALUES(1,'2a118a867fef46668eb387c54fc8830e','nextflow_cli',1001,'openid profile email offline_access',1796397067,'{}','1ceff7bee66536ba78bbd9534dd8cfd604650a813421a2b31cd92055d56c2f9b',2.1117570677536201477e+09,'b6422e51ea03cb8d593e0cd399588a460754589257053f6c6100865b38cc31af',2111757067.75365,1.7963970677536201477e+09,NULL,NULL,NULL);
CREATE INDEX ix_tokens_grant_id ON tokens (grant_id);
CREATE UNIQUE INDEX pats_live_name ON pats (user_id, name) WHERE deleted_at IS NULL;
CREATE INDEX ix_pats_user_id ON pats (user_id);
DELETE FROM "sqlite_sequence";
INSERT INTO "sqlite_sequence" VALUES('request_log',4);
INSERT INTO "sqlite_sequence" VALUES('tokens',1);
INSERT INTO "sqlite_sequence" VALUES('pats',1);
COMMIT;
