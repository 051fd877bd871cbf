-- A release built from the project's Dockerfile runs as a container image.
ALTER TABLE deploy.deployments DROP CONSTRAINT deployments_kind_check;
ALTER TABLE deploy.deployments ADD CONSTRAINT deployments_kind_check CHECK (kind IN ('static', 'node', 'container'));
