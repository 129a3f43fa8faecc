import { Alert, Button, Group, Progress, Stack, Stepper, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { CheckStep } from './import/CheckStep';
import { MappingStep } from './import/MappingStep';
import { UploadStep } from './import/UploadStep';
import { useImportWizard } from './import/useImportWizard';

export default function ImportPage() {
  const { t } = useTranslation();
  const w = useImportWizard();
  const { error, preview, check, result } = w;
  return (
    <Stack>
      <Title order={1} fz="h2">
        {t('import.title')}
      </Title>
      {error && (
        <Alert color="red" role="alert" withCloseButton onClose={() => w.setError(null)}>
          {error}
        </Alert>
      )}
      <Stepper active={w.step} size="sm" allowNextStepsSelect={false}>
        <Stepper.Step label={t('import.stepUpload')}>
          <UploadStep w={w} />
        </Stepper.Step>
        <Stepper.Step label={t('import.stepMap')}>
          {preview && <MappingStep w={w} preview={preview} />}
        </Stepper.Step>
        <Stepper.Step label={t('import.stepCheck')}>
          {check && <CheckStep w={w} check={check} />}
        </Stepper.Step>
        <Stepper.Completed>
          {result && (
            <Stack>
              <Progress value={100} color="green" />
              <Alert color="green" title={t('import.done')} data-testid="import-result">
                <div>{t('import.imported', { count: result.imported })}</div>
                {result.invalid > 0 && <div>{t('import.skipped', { count: result.invalid })}</div>}
              </Alert>
              <Group>
                <Button onClick={w.reset}>{t('import.again')}</Button>
              </Group>
            </Stack>
          )}
        </Stepper.Completed>
      </Stepper>
    </Stack>
  );
}
