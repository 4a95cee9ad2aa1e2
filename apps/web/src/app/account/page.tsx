import type { Metadata } from 'next';
import { OpenWCallApp } from '../../ui/app';

export const metadata: Metadata = { title: 'Your account' };

export default function AccountRoute() {
  return <OpenWCallApp page={{ kind: 'account' }} />;
}
