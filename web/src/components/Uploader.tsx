import { Button, Group, Paper, Progress, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type DragEvent } from 'react';
import { Upload } from 'tus-js-client';
import { getAccessToken } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';

/** Size of each PATCH: what a dropped connection can cost at most. */
const CHUNK_BYTES = 2 * 1024 * 1024;

interface FileState {
  key: string;
  name: string;
  percent: number;
  state: 'uploading' | 'done' | 'error';
  resumed?: boolean;
  error?: string;
}

/** Drag-and-drop (or pick) one or several videos; each uploads resumably with its own progress bar. */
export function Uploader() {
  const { t, number } = useI18n();
  const client = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [files, setFiles] = useState<FileState[]>([]);
  const [over, setOver] = useState(false);
  const update = (key: string, patch: Partial<FileState>) => setFiles((all) => all.map((f) => (f.key === key ? { ...f, ...patch } : f)));

  const start = async (file: File) => {
    const key = `${file.name}-${file.size}-${Date.now()}`;
    setFiles((all) => [...all, { key, name: file.name, percent: 0, state: 'uploading' }]);
    const upload = new Upload(file, {
      endpoint: '/api/tasks/uploads',
      chunkSize: CHUNK_BYTES,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      removeFingerprintOnSuccess: true,
      metadata: { filename: file.name, filetype: file.type || 'application/octet-stream', title: file.name.replace(/\.[^.]+$/, '') },
      onBeforeRequest: (req) => req.setHeader('Authorization', `Bearer ${getAccessToken() ?? ''}`),
      onProgress: (sent, total) => update(key, { percent: total ? Math.round((sent / total) * 100) : 0 }),
      onError: (error) => update(key, { state: 'error', error: error.message.split('\n')[0] }),
      onSuccess: () => {
        update(key, { state: 'done', percent: 100 });
        void client.invalidateQueries({ queryKey: ['tasks'] });
      },
    });
    const previous = await upload.findPreviousUploads();
    const latest = previous.sort((a, b) => b.creationTime.localeCompare(a.creationTime))[0];
    if (latest) {
      upload.resumeFromPreviousUpload(latest);
      update(key, { resumed: true });
    }
    upload.start();
  };

  const add = (list: FileList | null) => {
    for (const file of Array.from(list ?? [])) void start(file);
  };
  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setOver(false);
    add(event.dataTransfer.files);
  };

  return (
    <Stack gap="xs">
      <Paper
        withBorder
        p="lg"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        bg={over ? 'blue.0' : undefined}
        style={{ borderStyle: 'dashed' }}
        data-testid="dropzone"
      >
        <Stack align="center" gap="xs">
          <Text>{t('videos.drop')}</Text>
          <input
            ref={input}
            id="video-files"
            type="file"
            accept="video/*"
            multiple
            hidden
            onChange={(e) => add(e.currentTarget.files)}
            aria-label={t('videos.choose')}
          />
          <Button onClick={() => input.current?.click()}>{t('videos.choose')}</Button>
        </Stack>
      </Paper>
      {files.map((f) => (
        <Group key={f.key} wrap="nowrap" gap="sm">
          <Text size="sm" style={{ flex: 1, minWidth: 0 }} truncate>
            {f.name}
          </Text>
          <Progress value={f.percent} w="40%" aria-label={t('videos.uploadProgress', { name: f.name })} color={f.state === 'error' ? 'red' : undefined} />
          <Text size="sm" w={150} role="status">
            {f.state === 'error'
              ? t('videos.uploadFailed', { error: f.error ?? '' })
              : f.state === 'done'
                ? t('videos.uploaded')
                : `${number(f.percent, 0)} %${f.resumed ? ` · ${t('videos.resumed')}` : ''}`}
          </Text>
        </Group>
      ))}
    </Stack>
  );
}
