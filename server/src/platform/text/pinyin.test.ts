import { describe, expect, it } from 'vitest';
import { nameInitials, nameKeys, nameSortKey, pinyinSearchKey } from './pinyin.js';

describe('pinyin name keys', () => {
  it('reads polyphones by word: 重庆 chong, 长城 chang, 银行 hang, 行业 hang', () => {
    expect(nameSortKey('重庆银行')).toBe('chongqingyinhang');
    expect(nameSortKey('长城汽车')).toBe('changchengqiche');
    expect(nameSortKey('长沙')).toBe('changsha');
    expect(nameSortKey('中国银行')).toBe('zhongguoyinhang');
    expect(nameInitials('重庆银行')).toBe('cqyh');
  });

  it('reads the first character of a person name as a surname: 单 shan, 曾 zeng, 解 xie, 仇 qiu', () => {
    expect(nameSortKey('单雄信', { personName: true })).toBe('shanxiongxin');
    expect(nameSortKey('曾国藩', { personName: true })).toBe('zengguofan');
    expect(nameSortKey('解缙', { personName: true })).toBe('xiejin');
    expect(nameSortKey('仇英', { personName: true })).toBe('qiuying');
    expect(nameInitials('单雄信', { personName: true })).toBe('sxx');
    // Without it the everyday reading wins (companies are not people).
    expect(nameSortKey('单雄信')).toBe('danxiongxin');
  });

  it('keeps Latin letters and digits lowercased, drops spaces and punctuation', () => {
    expect(nameKeys('华为 Huawei Cloud')).toEqual({ pinyin: 'huaweihuaweicloud', initials: 'hwhc' });
    expect(nameKeys('Zebra Ltd.')).toEqual({ pinyin: 'zebraltd', initials: 'zl' });
    expect(nameSortKey('360 安全（北京）')).toBe('360anquanbeijing');
    expect(nameSortKey('Acme Robotics, Ltd.')).toBe('acmeroboticsltd');
  });

  it('turns full-width characters half-width first, and drops accents', () => {
    expect(nameKeys('ＡＢＣ１２３公司')).toEqual({ pinyin: 'abc123gongsi', initials: 'ags' });
    expect(nameSortKey('Société Générale')).toBe('societegenerale');
  });

  it('writes ü as v, as a pinyin keyboard does', () => {
    expect(nameSortKey('绿地集团')).toBe('lvdijituan');
    expect(nameSortKey('吕布', { personName: true })).toBe('lvbu');
  });

  it('orders companies the way Chinese users expect', () => {
    const names = ['中兴', '阿里巴巴', '华为', '百度', 'Zebra Ltd', '重庆银行'];
    const sorted = [...names].sort((a, b) => (nameSortKey(a) < nameSortKey(b) ? -1 : 1));
    expect(sorted).toEqual(['阿里巴巴', '百度', '重庆银行', '华为', 'Zebra Ltd', '中兴']);
  });

  it('gives empty keys for names without letters, and leaves other scripts as they are', () => {
    expect(nameKeys('！！！')).toEqual({ pinyin: '', initials: '' });
    expect(nameKeys('')).toEqual({ pinyin: '', initials: '' });
    expect(nameSortKey('삼성전자')).toBe('삼성전자');
  });

  it('recognises search texts that may be pinyin', () => {
    expect(pinyinSearchKey('huawei')).toBe('huawei');
    expect(pinyinSearchKey('Hua Wei')).toBe('huawei');
    expect(pinyinSearchKey("xi'an")).toBe('xian');
    expect(pinyinSearchKey('ＨＷ')).toBe('hw');
    expect(pinyinSearchKey('华为')).toBeUndefined();
    expect(pinyinSearchKey('123')).toBeUndefined();
    expect(pinyinSearchKey('a@b.com')).toBeUndefined();
  });
});
