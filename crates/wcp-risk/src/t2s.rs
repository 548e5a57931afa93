//! Traditional → Simplified Chinese, one character at a time.
//!
//! Why a hand-made table and not a full converter: the lexicon only needs the characters that
//! occur in risk phrases and in the chat around them, a phrase-level converter (OpenCC) would
//! add megabytes of dictionaries and cost far more per message than the scan itself. The table
//! is looked up through a dense array over the CJK Unified Ideographs block, built once.

use std::sync::OnceLock;

/// Pairs "traditional simplified", separated by spaces. Add a pair when a lexicon phrase needs it.
const PAIRS: &str = "\
證证 損损 虧亏 賠赔 償偿 補补 蝕蚀 穩稳 實实 無无 風风 險险 確确 對对 賺赚 錢钱 還还 給给 幫帮 買买 \
賣卖 貨货 價价 賬账 帳账 戶户 號号 碼码 種种 隻只 盤盘 單单 漲涨 額额 積积 轉转 擔担 當当 後后 發发 \
髮发 開开 關关 閉闭 門门 問问 聞闻 聽听 講讲 說说 話话 語语 認认 識识 讓让 記记 錄录 刪删 銷销 毀毁 \
燒烧 處处 紙纸 檔档 據据 審审 計计 監监 規规 條条 機机 構构 會会 議议 紀纪 報报 財财 務务 業业 績绩 \
預预 虛虚 佈布 併并 購购 組组 產产 資资 頭头 項项 權权 屬属 為为 與与 從从 來来 們们 這这 個个 裡里 \
裏里 麼么 麽么 嗎吗 沒没 時时 間间 見见 現现 點点 邊边 過过 進进 運运 動动 車车 馬马 鐘钟 經经 濟济 \
營营 員员 題题 顧顾 際际 聯联 繫系 係系 絡络 電电 郵邮 線线 網网 訊讯 萬万 億亿 紅红 禮礼 贈赠 賄贿 \
賂赂 傭佣 費费 飯饭 飲饮 請请 謝谢 親亲 職职 習习 學学 兒儿 孫孙 爺爷 媽妈 倉仓 屆届 揚扬 幣币 匯汇 \
兌兑 貸贷 銀银 債债 託托 庫库 舊旧 陳陈 張张 劉刘 楊杨 黃黄 趙赵 吳吴 鄭郑 羅罗 許许 盧卢 鄧邓 蘇苏 \
葉叶 蔣蒋 韓韩 馮冯 嚴严 銳锐 鋒锋 師师 傳传 訴诉 讀读 寫写 筆笔 書书 圖图 畫画 樣样 總总 領领 導导 \
層层 團团 隊队 專专 獨独 長长 辦办 設设 備备 腦脑 復复 複复 覆复 獲获 穫获 範范 歷历 曆历 擬拟 劃划 \
準准 織织 濾滤 礎础 擴扩 簽签 約约 競竞 爭争 將将 壓压 尋寻 幾几 齊齐 雙双 夥伙 黨党 隱隐 洩泄 竊窃 \
偽伪 賭赌 詐诈 騙骗 違违 鬆松 緊紧 擾扰 亂乱 鬥斗 舉举 揮挥 撥拨 掛挂 擺摆 搶抢 掃扫 換换 擠挤 撈捞 \
攤摊 攬揽 誤误 錯错 謊谎 訂订 評评 詢询 詳详 諮咨 論论 調调 談谈 諾诺 誠诚 該该 誰谁 課课 謀谋 諱讳 \
譯译 護护 讚赞 貴贵 貿贸 賀贺 質质 賴赖 賽赛 贏赢 賞赏 販贩 貼贴 貪贪 賜赐 賦赋 賤贱 輸输 輕轻 較较 \
載载 輔辅 輪轮 辭辞 農农 遞递 遠远 適适 選选 遺遗 鄉乡 醫医 釋释 鈔钞 鉅巨 鋪铺 鏈链 鎖锁 閱阅 闆板 \
陣阵 陰阴 陸陆 隨随 雖虽 雜杂 難难 雲云 靈灵 靜静 順顺 須须 頻频 顯显 飛飞 餘余 館馆 驗验 體体 鬧闹 \
魚鱼 鳥鸟 麥麦 齡龄 龍龙 贓赃 僅仅 優优 儲储 兇凶 凱凯 劑剂 勞劳 勢势 勵励 區区 協协 卻却 參参 叢丛 \
吶呐 啟启 喚唤 嘆叹 嚇吓 園园 圍围 執执 堅坚 場场 塊块 壞坏 壯壮 夠够 夢梦 奪夺 奮奋 妝妆 婦妇 嫻娴 \
寧宁 寬宽 寶宝 嶺岭 幹干 廣广 廠厂 廳厅 彈弹 彎弯 徑径 徹彻 恆恒 悅悦 惡恶 惱恼 愛爱 態态 慣惯 慮虑 \
憂忧 憑凭 應应 懷怀 戰战 戲戏 拋抛 挾挟 捨舍 掙挣 揀拣 搖摇 撐撑 擁拥 擇择 擊击 擋挡 攜携 數数 斷断 \
於于 昇升 晉晋 暢畅 暫暂 曉晓 東东 棄弃 極极 槍枪 標标 樂乐 橫横 檢检 櫃柜 歡欢 歲岁 歸归 殘残 殺杀 \
殼壳 氣气 決决 況况 淺浅 減减 渦涡 測测 湯汤 溝沟 滅灭 滿满 潛潜 潤润 澀涩 濕湿 災灾 烏乌 煩烦 熱热 \
爐炉 牽牵 犧牺 猶犹 獎奖 獻献 環环 畢毕 異异 疊叠 痠酸 盡尽 睜睁 矯矫 礙碍 稅税 稱称 窮穷 築筑 簡简 \
籌筹 糧粮 糾纠 納纳 純纯 級级 細细 終终 結结 絕绝 統统 絲丝 綁绑 維维 綜综 緒绪 締缔 編编 緩缓 練练 \
縣县 縮缩 繳缴 繼继 續续 罰罚 罷罢 羨羡 聖圣 聲声 膽胆 臉脸 臨临 興兴 艙舱 艱艰 節节 莊庄 華华 著着 \
蓋盖 薦荐 藍蓝 藝艺 藥药 蘭兰 蟲虫 術术 衛卫 衝冲 裝装 製制 襯衬 覺觉 觀观 視视 覽览 訓训 訪访 診诊 \
詞词 試试 誇夸 諸诸 謹谨 變变 豐丰 貝贝 負负 貢贡 責责 貫贯 賓宾 趕赶 趨趋 跡迹 踐践 躍跃 軍军 軟软 \
連连 週周 達达 遲迟 遷迁 邁迈 鄰邻 醜丑 釣钓 鈴铃 鉛铅 銅铜 銘铭 錶表 鍵键 鐵铁 鑑鉴 鑒鉴 閑闲 閒闲 \
閣阁 闖闯 陽阳 階阶 雞鸡 離离 霧雾 靂雳 韻韵 頁页 頂顶 頓顿 顆颗 願愿 類类 飄飘 飽饱 養养 餅饼 饋馈 \
騷骚 驚惊 髒脏 魯鲁 鮮鲜 麗丽 齒齿 諗谂 \
";

const BASE: u32 = 0x4E00;
const END: u32 = 0xA000;

fn table() -> &'static [char] {
    static TABLE: OnceLock<Vec<char>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t: Vec<char> = (BASE..END)
            .map(|c| char::from_u32(c).unwrap_or('\0'))
            .collect();
        for pair in PAIRS.split_whitespace() {
            let mut it = pair.chars();
            if let (Some(tr), Some(si)) = (it.next(), it.next()) {
                let cp = tr as u32;
                if (BASE..END).contains(&cp) {
                    t[(cp - BASE) as usize] = si;
                }
            }
        }
        t
    })
}

/// The Simplified form of `c`, or `c` itself when the table has no entry.
#[inline]
pub fn to_simplified(c: char) -> char {
    let cp = c as u32;
    if (BASE..END).contains(&cp) {
        table()[(cp - BASE) as usize]
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_well_formed_and_consistent() {
        let mut seen = std::collections::HashMap::new();
        for pair in PAIRS.split_whitespace() {
            let chars: Vec<char> = pair.chars().collect();
            assert_eq!(chars.len(), 2, "pair {pair:?} must be two characters");
            if let Some(prev) = seen.insert(chars[0], chars[1]) {
                assert_eq!(prev, chars[1], "conflicting mapping for {}", chars[0]);
            }
        }
    }

    #[test]
    fn conversion_is_idempotent() {
        // A simplified character must never itself be a key: 保證 once mapped 保 to 證.
        for pair in PAIRS.split_whitespace() {
            let si = pair.chars().nth(1).unwrap();
            assert_eq!(to_simplified(si), si, "{pair}: target is itself converted");
        }
    }

    #[test]
    fn converts_lexicon_characters() {
        let got: String = "保證唔會蝕，聽講佢哋宣佈私有化，刪除記錄"
            .chars()
            .map(to_simplified)
            .collect();
        assert_eq!(got, "保证唔会蚀，听讲佢哋宣布私有化，删除记录");
        assert_eq!(to_simplified('a'), 'a');
        assert_eq!(to_simplified('本'), '本');
    }
}
