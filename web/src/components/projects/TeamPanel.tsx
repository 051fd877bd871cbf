import { Alert, Button, Group, Modal, Stack, Table, Text, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import { onTeam, projectKey, type Project, type TeamMember } from '../../api/projects.ts';
import { useI18n } from '../../i18n/index.tsx';
import { parseEmails } from '../../lib/paste.ts';
import { ErrorAlert } from '../states.tsx';

interface Added {
  added: TeamMember[];
  unknownEmails: string[];
}

function AddMembers({ project }: { project: Project }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const add = useMutation({
    mutationFn: (emails: string[]) => api<Added>(`/api/projects/${project.id}/members`, { body: { emails } }),
    onSuccess: () => client.invalidateQueries({ queryKey: projectKey(project.id) }),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    add.mutate(parseEmails(String(new FormData(event.currentTarget).get('emails'))));
  };
  return (
    <Stack gap="xs">
      <form onSubmit={submit}>
        <Stack gap="xs">
          <Textarea name="emails" label={t('team.addLabel')} description={t('team.addHint')} autosize minRows={2} required />
          <Group>
            <Button type="submit" loading={add.isPending}>
              {t('team.add')}
            </Button>
          </Group>
        </Stack>
      </form>
      <ErrorAlert error={add.error} />
      {add.data && (
        <Alert color={add.data.unknownEmails.length ? 'yellow' : 'green'} role="status" title={t('team.added', { count: add.data.added.length })}>
          {add.data.unknownEmails.length > 0 && (
            <>
              <Text size="sm">{t('course.unknown')}</Text>
              <ul data-testid="unknown-members">
                {add.data.unknownEmails.map((e) => (
                  <li key={e}>{e}</li>
                ))}
              </ul>
            </>
          )}
        </Alert>
      )}
    </Stack>
  );
}

/** The team: members and roles; the team adds members by e-mail; the owner removes them or hands over ownership (each confirmed). */
export function TeamPanel({ project }: { project: Project }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const owner = project.viewer === 'owner';
  const [asked, setAsked] = useState<{ action: 'remove' | 'transfer'; member: TeamMember } | null>(null);
  const change = useMutation({
    mutationFn: ({ action, member }: { action: 'remove' | 'transfer'; member: TeamMember }) =>
      action === 'remove'
        ? api(`/api/projects/${project.id}/members/${member.userId}`, { method: 'DELETE' })
        : api(`/api/projects/${project.id}/members/${member.userId}`, { method: 'PATCH', body: { role: 'owner' } }),
    onSuccess: () => {
      setAsked(null);
      return client.invalidateQueries({ queryKey: projectKey(project.id) });
    },
  });
  return (
    <Stack>
      <Table striped aria-label={t('team.title')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('signup.username')}</Table.Th>
            <Table.Th>{t('team.role')}</Table.Th>
            {owner && <Table.Th>{t('team.actions')}</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {project.team.map((m) => (
            <Table.Tr key={m.userId}>
              <Table.Td>{m.username}</Table.Td>
              <Table.Td>{t(`team.${m.role}`)}</Table.Td>
              {owner && (
                <Table.Td>
                  {m.role === 'member' && (
                    <Group gap="xs">
                      <Button
                        size="xs"
                        variant="light"
                        onClick={() => setAsked({ action: 'transfer', member: m })}
                        aria-label={t('team.makeOwnerOf', { name: m.username })}
                      >
                        {t('team.makeOwner')}
                      </Button>
                      <Button
                        size="xs"
                        variant="light"
                        color="red"
                        onClick={() => setAsked({ action: 'remove', member: m })}
                        aria-label={t('team.removeOf', { name: m.username })}
                      >
                        {t('team.remove')}
                      </Button>
                    </Group>
                  )}
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {onTeam(project.viewer) && <AddMembers project={project} />}
      <Modal opened={asked !== null} onClose={() => setAsked(null)} title={t(asked?.action === 'transfer' ? 'team.makeOwner' : 'team.remove')}>
        <Stack>
          <Text>{t(asked?.action === 'transfer' ? 'team.confirmTransfer' : 'team.confirmRemove', { name: asked?.member.username ?? '' })}</Text>
          <ErrorAlert error={change.error} />
          <Group justify="end">
            <Button variant="default" onClick={() => setAsked(null)}>
              {t('common.keep')}
            </Button>
            <Button color={asked?.action === 'remove' ? 'red' : 'blue'} loading={change.isPending} onClick={() => asked && change.mutate(asked)}>
              {t(asked?.action === 'transfer' ? 'team.makeOwner' : 'team.remove')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
