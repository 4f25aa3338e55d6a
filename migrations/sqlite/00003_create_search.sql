-- +goose Up
-- Full-text search over posts. FTS4 is compiled into go-sqlite3 by default
-- (FTS5 would need a build tag on every command). The question post carries
-- its thread's title. Triggers keep the index in step with every write path,
-- the importer and the generator included.
CREATE VIRTUAL TABLE post_search USING fts4(title, body, tokenize=unicode61);

INSERT INTO post_search (docid, title, body)
SELECT p.id, CASE WHEN p.is_question = 1 THEN t.title ELSE '' END, p.body_md
FROM posts p JOIN threads t ON t.id = p.thread_id;

-- +goose StatementBegin
CREATE TRIGGER posts_search_insert AFTER INSERT ON posts BEGIN
    INSERT INTO post_search (docid, title, body) VALUES (new.id,
        CASE WHEN new.is_question = 1 THEN (SELECT title FROM threads WHERE id = new.thread_id) ELSE '' END,
        new.body_md);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER posts_search_update AFTER UPDATE OF body_md ON posts BEGIN
    UPDATE post_search SET body = new.body_md WHERE docid = new.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER posts_search_delete AFTER DELETE ON posts BEGIN
    DELETE FROM post_search WHERE docid = old.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER threads_search_title AFTER UPDATE OF title ON threads BEGIN
    UPDATE post_search SET title = new.title
    WHERE docid = (SELECT id FROM posts WHERE thread_id = new.id AND is_question = 1);
END;
-- +goose StatementEnd

-- +goose Down
SELECT 'forward only';
