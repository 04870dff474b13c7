--
-- PostgreSQL database dump
--

\restrict 6xG6g6JW0Tonu8lGjfYDjmeYZ1Z5MMQgswf4i2ScspTqg3oAtBTqg77vNZViW8l

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: codes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.codes (
    code_hash character varying(64) NOT NULL,
    grant_id character varying(32) NOT NULL,
    client_id character varying(200) NOT NULL,
    user_id integer NOT NULL,
    redirect_uri text,
    scope text NOT NULL,
    nonce text,
    code_challenge character varying(128),
    code_challenge_method character varying(16),
    auth_time integer NOT NULL,
    claims json,
    expires_at double precision NOT NULL,
    used_at double precision
);


--
-- Name: documents; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.documents (
    name character varying(64) NOT NULL,
    fingerprint character varying(64) NOT NULL,
    body json NOT NULL
);


--
-- Name: faults; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.faults (
    id integer NOT NULL,
    spec json NOT NULL,
    remaining integer,
    hits integer NOT NULL
);


--
-- Name: faults_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.faults_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: faults_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.faults_id_seq OWNED BY public.faults.id;


--
-- Name: identity_queue; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.identity_queue (
    id integer NOT NULL,
    client_id character varying(200),
    user_id integer NOT NULL,
    claims json,
    remaining integer NOT NULL
);


--
-- Name: identity_queue_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.identity_queue_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: identity_queue_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.identity_queue_id_seq OWNED BY public.identity_queue.id;


--
-- Name: pats; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.pats (
    id integer NOT NULL,
    user_id integer NOT NULL,
    name character varying(1000) NOT NULL,
    secret_hash character varying(64) NOT NULL,
    date_created double precision NOT NULL,
    last_used double precision,
    deleted_at double precision
);


--
-- Name: pats_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.pats_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: pats_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.pats_id_seq OWNED BY public.pats.id;


--
-- Name: request_log; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.request_log (
    id integer NOT NULL,
    entry json NOT NULL
);


--
-- Name: request_log_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.request_log_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: request_log_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.request_log_id_seq OWNED BY public.request_log.id;


--
-- Name: state; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.state (
    id integer NOT NULL,
    directory_version integer NOT NULL,
    clients_version integer NOT NULL,
    keys_version integer NOT NULL,
    faults_version integer NOT NULL,
    queued_identities integer NOT NULL,
    clock_offset double precision NOT NULL
);


--
-- Name: state_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.state_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: state_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.state_id_seq OWNED BY public.state.id;


--
-- Name: tokens; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tokens (
    id integer NOT NULL,
    grant_id character varying(32) NOT NULL,
    client_id character varying(200) NOT NULL,
    user_id integer NOT NULL,
    scope text NOT NULL,
    auth_time integer NOT NULL,
    claims json,
    access_hash character varying(64) NOT NULL,
    access_expires_at double precision NOT NULL,
    refresh_hash character varying(64),
    refresh_expires_at double precision,
    issued_at double precision NOT NULL,
    revoked_at double precision,
    refresh_rotated_at double precision,
    refresh_revoked_at double precision
);


--
-- Name: tokens_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.tokens_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: tokens_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.tokens_id_seq OWNED BY public.tokens.id;


--
-- Name: faults id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.faults ALTER COLUMN id SET DEFAULT nextval('public.faults_id_seq'::regclass);


--
-- Name: identity_queue id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.identity_queue ALTER COLUMN id SET DEFAULT nextval('public.identity_queue_id_seq'::regclass);


--
-- Name: pats id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pats ALTER COLUMN id SET DEFAULT nextval('public.pats_id_seq'::regclass);


--
-- Name: request_log id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.request_log ALTER COLUMN id SET DEFAULT nextval('public.request_log_id_seq'::regclass);


--
-- Name: state id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.state ALTER COLUMN id SET DEFAULT nextval('public.state_id_seq'::regclass);


--
-- Name: tokens id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tokens ALTER COLUMN id SET DEFAULT nextval('public.tokens_id_seq'::regclass);


--
-- Data for Name: codes; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.codes VALUES ('08bbe5b694217b346b35f539d77a9eb7326d3fe0888f44b5d1edcfd59843ac76', '08a5b12a41db4a0389eb7fcff51beecb', 'nextflow_cli', 1001, 'http://127.0.0.1:41121/callback', 'openid profile email offline_access', NULL, '_zmuT5J9e4XmjcufOwBTthuRtl8G_Q-XwoFgHvT2ACM', 'S256', 1796397072, '{}', 1796397132.563527, 1796397072.5723488);


--
-- Data for Name: documents; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.documents VALUES ('directory', '297b27da17082f3b0c885a830e217e82d50500015a953185029165fdd2685e97', '{"users": [{"id": 1001, "userName": "alice", "email": "alice@example.com", "password": "alice-password", "firstName": "Alice", "lastName": "Liddell", "organization": "Acme Research", "defaultWorkspaceId": 75887156211589, "computeEnvs": [{"id": "1aLiCePeRs0nAlCe", "name": "alice-local", "platform": "local-platform", "workDir": "/home/alice/work", "primary": true}]}, {"id": 1002, "userName": "bob", "email": "bob@example.com", "password": "bob-password", "firstName": "Bob", "lastName": "Builder", "organization": "Beta Labs"}, {"id": 1003, "userName": "carol", "email": "carol@example.org", "password": "carol-password", "firstName": "Carol", "lastName": "Danvers"}], "organizations": [{"orgId": 81702924135038, "name": "acme", "fullName": "Acme Research", "type": "pro", "members": {"alice": "owner", "bob": "member"}, "workspaces": [{"id": 75887156211589, "name": "genomics", "fullName": "Genomics Lab", "visibility": "PRIVATE", "participants": {"alice": "owner", "bob": "launch"}, "computeEnvs": [{"id": "4G3n0m1csAwsBatch", "name": "aws-batch-genomics", "platform": "aws-batch", "workDir": "s3://acme-genomics/work", "primary": true}]}, {"id": 75887156211590, "name": "imaging", "fullName": "Imaging Core", "visibility": "SHARED", "participants": {"alice": "admin"}, "computeEnvs": [{"id": "5Im4g1ngGoogleBatch", "name": "google-batch-imaging", "platform": "google-batch", "workDir": "gs://acme-imaging/work", "primary": true}]}]}, {"orgId": 81702924135099, "name": "beta-labs", "fullName": "Beta Labs", "type": "academic", "members": {"bob": "owner"}, "workspaces": [{"id": 89712300011001, "name": "research", "fullName": "Beta Research", "visibility": "PRIVATE", "participants": {"bob": "owner"}, "computeEnvs": [{"id": "6B3t4SlurmCluster", "name": "slurm-hpc", "platform": "slurm-platform", "workDir": "/scratch/beta/work", "primary": true}]}, {"id": 89712300011002, "name": "teaching", "fullName": "Beta Teaching", "visibility": "PRIVATE", "participants": {"bob": "maintain"}, "computeEnvs": [{"id": "7B3t4Te4chAzure", "name": "azure-batch-teaching", "platform": "azure-batch", "workDir": "az://beta-teaching/work", "primary": true}]}]}]}');


--
-- Data for Name: faults; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: identity_queue; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: pats; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.pats VALUES (1, 1001, 'release-0.1.0', 'c64f1bc32f924ad6764b71fd69c2d0f5404306e57790d07e893770c4418c8de6', 1796397072.5794158, NULL, NULL);


--
-- Data for Name: request_log; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.request_log VALUES (1, '{"time": "2026-12-04T15:11:12.565Z", "method": "GET", "path": "/api/oauth/authorize", "endpoint": "oidc.authorize", "status": 302, "query": {"client_id": "nextflow_cli", "response_type": "code", "scope": "openid profile email offline_access", "redirect_uri": "http://127.0.0.1:41121/callback", "state": "H2AW-GY1yKf4S1UOsYkthw", "code_challenge": "_zmuT5J9e4XmjcufOwBTthuRtl8G_Q-XwoFgHvT2ACM", "code_challenge_method": "S256", "login_hint": "alice"}, "headers": {"User-Agent": "Werkzeug/3.1.9"}, "redirect": {"to": "http://127.0.0.1:41121/callback", "query": {"code": "*** (43 chars)", "state": "H2AW-GY1yKf4S1UOsYkthw"}}}');
INSERT INTO public.request_log VALUES (2, '{"time": "2026-12-04T15:11:12.575Z", "method": "POST", "path": "/api/oauth/token", "endpoint": "oidc.token", "status": 200, "headers": {"Content-Type": "application/x-www-form-urlencoded", "Cookie": "mock_platform_session=***", "User-Agent": "Werkzeug/3.1.9"}, "form": {"grant_type": "authorization_code", "client_id": "nextflow_cli", "code": "*** (43 chars)", "code_verifier": "*** (64 chars)", "redirect_uri": "http://127.0.0.1:41121/callback"}}');
INSERT INTO public.request_log VALUES (3, '{"time": "2026-12-04T15:11:12.582Z", "method": "POST", "path": "/api/tokens", "endpoint": "platform_tokens.create_token", "status": 200, "headers": {"Authorization": "Bearer *** (JWT, 774 chars)", "Content-Type": "application/json", "Cookie": "mock_platform_session=***", "User-Agent": "Werkzeug/3.1.9"}, "json": {"name": "release-0.1.0"}}');
INSERT INTO public.request_log VALUES (4, '{"time": "2026-12-04T15:11:12.595Z", "method": "GET", "path": "/api/.well-known/jwks.json", "endpoint": "oidc.jwks", "status": 200, "headers": {"Cookie": "mock_platform_session=***", "User-Agent": "Werkzeug/3.1.9"}}');


--
-- Data for Name: state; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.state VALUES (1, 1, 0, 0, 0, 0, 0);


--
-- Data for Name: tokens; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.tokens VALUES (1, '08a5b12a41db4a0389eb7fcff51beecb', 'nextflow_cli', 1001, 'openid profile email offline_access', 1796397072, '{}', '298597cd7cd4480bd49cd465a22daa32ef355586bcc43c665760387be60ead3f', 2111757072.5723488, '6f220d7f58f1df059c0216cff525111b96dc36079bd55d4548e12302f320a8b5', 2111757072.5723572, 1796397072.5723488, NULL, NULL, NULL);


--
-- Name: faults_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.faults_id_seq', 1, false);


--
-- Name: identity_queue_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.identity_queue_id_seq', 1, false);


--
-- Name: pats_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.pats_id_seq', 1, true);


--
-- Name: request_log_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.request_log_id_seq', 4, true);


--
-- Name: state_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.state_id_seq', 1, false);


--
-- Name: tokens_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.tokens_id_seq', 1, true);


--
-- Name: codes codes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.codes
    ADD CONSTRAINT codes_pkey PRIMARY KEY (code_hash);


--
-- Name: documents documents_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_pkey PRIMARY KEY (name);


--
-- Name: faults faults_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.faults
    ADD CONSTRAINT faults_pkey PRIMARY KEY (id);


--
-- Name: identity_queue identity_queue_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.identity_queue
    ADD CONSTRAINT identity_queue_pkey PRIMARY KEY (id);


--
-- Name: pats pats_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pats
    ADD CONSTRAINT pats_pkey PRIMARY KEY (id);


--
-- Name: request_log request_log_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.request_log
    ADD CONSTRAINT request_log_pkey PRIMARY KEY (id);


--
-- Name: state state_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.state
    ADD CONSTRAINT state_pkey PRIMARY KEY (id);


--
-- Name: tokens tokens_access_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tokens
    ADD CONSTRAINT tokens_access_hash_key UNIQUE (access_hash);


--
-- Name: tokens tokens_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tokens
    ADD CONSTRAINT tokens_pkey PRIMARY KEY (id);


--
-- Name: tokens tokens_refresh_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tokens
    ADD CONSTRAINT tokens_refresh_hash_key UNIQUE (refresh_hash);


--
-- Name: ix_pats_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_pats_user_id ON public.pats USING btree (user_id);


--
-- Name: ix_tokens_grant_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_tokens_grant_id ON public.tokens USING btree (grant_id);


--
-- Name: pats_live_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX pats_live_name ON public.pats USING btree (user_id, name) WHERE (deleted_at IS NULL);


--
-- PostgreSQL database dump complete
--

\unrestrict 6xG6g6JW0Tonu8lGjfYDjmeYZ1Z5MMQgswf4i2ScspTqg3oAtBTqg77vNZViW8l

